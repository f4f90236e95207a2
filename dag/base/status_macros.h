// RETURN_IF_ERROR and ASSIGN_OR_RETURN: Abseil 20220623 ships neither.
//
//   RETURN_IF_ERROR(db.Write(batch));
//   ASSIGN_OR_RETURN(Config config, LoadConfig(path));
//   ASSIGN_OR_RETURN(auto value, Parse(text));
#ifndef MYELIN_DAG_BASE_STATUS_MACROS_H_
#define MYELIN_DAG_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MYELIN_CONCAT_INNER_(a, b) a##b
#define MYELIN_CONCAT_(a, b) MYELIN_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    if (::absl::Status status_ = (expr); !status_.ok()) { \
      return status_;                              \
    }                                              \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) \
  MYELIN_ASSIGN_OR_RETURN_IMPL_(MYELIN_CONCAT_(statusor_, __LINE__), lhs, expr)

#define MYELIN_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) {                                    \
    return std::move(statusor).status();                   \
  }                                                        \
  lhs = std::move(statusor).value()

#endif  // MYELIN_DAG_BASE_STATUS_MACROS_H_
