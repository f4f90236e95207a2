#include "tests/support/self_signed.h"

#include <cstdio>
#include <memory>

#include "openssl/ec.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/x509.h"

namespace myelin::testing {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

}  // namespace

absl::Status WriteSelfSignedCertificate(const std::string& cert_path,
                                        const std::string& key_path,
                                        const std::string& common_name) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) return absl::InternalError("EC key generation failed");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return absl::InternalError("certificate signing failed");
  }
  File cert_file(std::fopen(cert_path.c_str(), "w"));
  File key_file(std::fopen(key_path.c_str(), "w"));
  if (!cert_file || !key_file) return absl::InternalError("cannot write PEM");
  if (PEM_write_X509(cert_file.get(), cert.get()) == 0 ||
      PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0,
                           nullptr, nullptr) == 0) {
    return absl::InternalError("PEM encoding failed");
  }
  return absl::OkStatus();
}

}  // namespace myelin::testing
