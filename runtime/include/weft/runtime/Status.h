//===- Status.h - success or an error message -------------------*- C++ -*-===//
#ifndef WEFT_RUNTIME_STATUS_H
#define WEFT_RUNTIME_STATUS_H

#include <string>

namespace weft::rt {

/// Every runtime call returns a Status; nothing aborts on bad input.
struct Status {
  bool ok = true;
  std::string message;
  static Status error(std::string m) { return {false, std::move(m)}; }
  explicit operator bool() const { return ok; }
};

} // namespace weft::rt

#endif // WEFT_RUNTIME_STATUS_H
