"""integration_test: a cc_test that drives the real myelin binary."""

_COMMON_DEPS = [
    "//tests/support:http_client",
    "//tests/support:server_process",
    "//third_party:absl",
    "//third_party:boost_json",
    "//third_party:gtest_main",
]

def integration_test(name, srcs, deps = [], data = [], size = "medium"):
    """A test of the real server on loopback (port 0).

    Args:
      name: the test target.
      srcs: its sources (and the fixture headers it includes).
      deps: libraries beyond the HTTP client and process runner.
      data: runfiles beyond //server:myelin.
      size: Bazel test size.
    """
    native.cc_test(
        name = name,
        size = size,
        srcs = srcs,
        data = ["//server:myelin"] + data,
        deps = _COMMON_DEPS + [d for d in deps if d not in _COMMON_DEPS],
    )
