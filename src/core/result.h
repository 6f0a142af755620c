// Result<T>: the return type of every parser of untrusted bytes (network, files, ONNX).
// It carries either a value or an Error (code + message). It never throws.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace pg::core {

enum class ErrorCode : uint8_t {
  kTruncated,     // input ended before a complete item
  kTooLarge,      // a claimed size exceeds its bound
  kMalformed,     // bytes that do not parse
  kUnsupported,   // well-formed but not handled (an op, a version, an attribute)
  kMismatch,      // parameters, hashes or shapes that do not agree
  kIo,            // a file or device error
  kNetwork,       // connection refused, closed or reset
  kTimeout,       // a peer stalled past its deadline
  kProtocol,      // an unexpected message in a session
  kInvalidInput,  // a value out of its allowed range
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;

  // "malformed: <message>"
  std::string to_string() const;
};

inline Error make_error(ErrorCode code, std::string message) {
  return {code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    PG_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  T& value() & {
    PG_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    PG_ASSERT(ok(), "Result::value() on an error");
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    PG_ASSERT(!ok(), "Result::error() on a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    PG_ASSERT(!ok_, "Result::error() on a value");
    return error_;
  }

 private:
  Error error_{ErrorCode::kMalformed, {}};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace pg::core

// Propagates an error from a Result-returning expression; otherwise binds its value.
#define PG_TRY_ASSIGN(lhs, expr) PG_TRY_ASSIGN_IMPL(PG_CONCAT(pg_try_, __LINE__), lhs, expr)
#define PG_TRY_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                       \
  if (!tmp.ok()) return tmp.error();       \
  lhs = std::move(tmp).value()
#define PG_TRY(expr)                                         \
  do {                                                       \
    auto pg_try_status_ = (expr);                            \
    if (!pg_try_status_.ok()) return pg_try_status_.error(); \
  } while (0)
