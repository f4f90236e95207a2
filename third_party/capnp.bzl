"""capnp_library: compiles .capnp schemas into a cc_library."""

def capnp_library(name, srcs, deps = [], visibility = None):
    """Generates <schema>.capnp.h/.c++ with the system capnp compiler.

    Args:
      name: the cc_library to create.
      srcs: .capnp schema files in this package.
      deps: other cc_library targets the generated code needs.
      visibility: visibility of the cc_library.
    """
    outs_h = [s + ".h" for s in srcs]
    outs_cc = [s + ".c++" for s in srcs]
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = outs_h + outs_cc,
        cmd = "capnp compile -I/usr/include --src-prefix=$$(dirname $(location %s)) -oc++:$(@D) $(SRCS)" % srcs[0],
    )
    native.cc_library(
        name = name,
        srcs = outs_cc,
        hdrs = outs_h,
        deps = deps + ["//third_party:capnp"],
        visibility = visibility,
    )
