// Writes a fresh self-signed certificate and key (EC P-256, PEM) for TLS
// tests, so tests need no openssl command and no checked-in private keys.
#ifndef MYELIN_TESTS_SUPPORT_SELF_SIGNED_H_
#define MYELIN_TESTS_SUPPORT_SELF_SIGNED_H_

#include <string>

#include "absl/status/status.h"

namespace myelin::testing {

absl::Status WriteSelfSignedCertificate(const std::string& cert_path,
                                        const std::string& key_path,
                                        const std::string& common_name);

}  // namespace myelin::testing

#endif  // MYELIN_TESTS_SUPPORT_SELF_SIGNED_H_
