//===- Npy.cpp - numpy .npy files -----------------------------------------===//
#include "weft/runtime/Npy.h"

#include <cstring>

using namespace weft;
using namespace weft::rt;
using namespace weft::format;

namespace {
/// The dtype of a .npy descr: the table's spelling, or an equivalent one
/// numpy also writes ('<i1' for int8, '|V2' for ml_dtypes' bfloat16).
const DTypeInfo *dtypeOfDescr(const std::string &descr) {
  for (const DTypeInfo &d : kDTypes)
    if (descr == d.npyDescr)
      return &d;
  if (descr == "<i1")
    return &dtypeInfo(DType::I8);
  if (descr == "|V2")
    return &dtypeInfo(DType::BF16);
  return nullptr;
}

/// The value of `'key': ` in a header dict, up to the next top-level comma.
bool field(const std::string &h, const std::string &key, std::string &out) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos)
    return false;
  size_t colon = h.find(':', k);
  if (colon == std::string::npos)
    return false;
  size_t start = h.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    return false;
  size_t end = h[start] == '(' ? h.find(')', start) + 1 : h.find(',', start);
  if (end == std::string::npos || end == 0 || end <= start)
    return false;
  out = h.substr(start, end - start);
  return true;
}
} // namespace

Status rt::parseNpy(const char *data, size_t size, NpyArray &out) {
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0)
    return Status::error("not a .npy file (bad magic)");
  uint8_t major = static_cast<uint8_t>(data[6]);
  size_t headerLen, pos;
  if (major == 1) {
    headerLen = uint8_t(data[8]) | (size_t(uint8_t(data[9])) << 8);
    pos = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return Status::error("truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(data[8 + i])) << (8 * i);
    pos = 12;
  } else {
    return Status::error(".npy format version " + std::to_string(major) +
                         " is not supported");
  }
  if (headerLen > size - pos)
    return Status::error("truncated .npy header");
  std::string h(data + pos, headerLen);
  pos += headerLen;

  std::string descr, order, shape;
  if (!field(h, "descr", descr) || !field(h, "fortran_order", order) ||
      !field(h, "shape", shape))
    return Status::error("malformed .npy header: " + h);
  if (order.find("False") == std::string::npos)
    return Status::error("Fortran-ordered .npy arrays are not supported");
  // descr is a quoted string: '<f4'.
  std::string bare = descr;
  if (bare.size() >= 2 && (bare.front() == '\'' || bare.front() == '"'))
    bare = bare.substr(1, bare.size() - 2);
  const DTypeInfo *info = dtypeOfDescr(bare);
  if (!info) {
    std::string known;
    for (const DTypeInfo &d : kDTypes)
      known += (known.empty() ? "" : ", ") + std::string(d.name);
    return Status::error(".npy dtype " + descr + " is not supported (" + known +
                         "; bf16 as ml_dtypes' '<V2')");
  }
  out.dtype = info->dtype;
  out.shape.clear();
  size_t elems = 1;
  for (size_t i = 1; i < shape.size();) {
    size_t j = shape.find_first_of(",)", i);
    if (j == std::string::npos)
      break;
    std::string tok = shape.substr(i, j - i);
    tok.erase(0, tok.find_first_not_of(' '));
    if (!tok.empty()) {
      char *end = nullptr;
      long long v = std::strtoll(tok.c_str(), &end, 10);
      if (!end || *end != '\0' || v < 0 || v > (1ll << 40))
        return Status::error("malformed .npy shape " + shape);
      out.shape.push_back(v);
      elems *= static_cast<size_t>(v);
      if (elems > (size_t(1) << 40))
        return Status::error(".npy array too large");
    }
    i = j + 1;
  }
  size_t bytes = elems * dtypeSize(out.dtype);
  if (size - pos != bytes)
    return Status::error(".npy data is " + std::to_string(size - pos) +
                         " bytes, shape " + shape + " needs " +
                         std::to_string(bytes));
  out.data.assign(data + pos, data + pos + bytes);
  return {};
}

Status rt::readNpy(const std::string &path, NpyArray &out) {
  std::vector<char> bytes;
  Status s = readFile(path, bytes);
  if (s)
    s = parseNpy(bytes.data(), bytes.size(), out);
  if (!s)
    s.message = path + ": " + s.message;
  return s;
}

Status rt::writeNpy(const std::string &path, DType dtype,
                    const std::vector<int64_t> &shape, const void *data) {
  if (!isValidDType(static_cast<uint32_t>(dtype)))
    return Status::error("cannot write an unknown dtype to .npy");
  std::string h = "{'descr': '" + std::string(dtypeInfo(dtype).npyDescr) +
                  "', 'fortran_order': False, 'shape': (";
  size_t elems = 1;
  for (int64_t d : shape) {
    h += std::to_string(d) + ",";
    elems *= static_cast<size_t>(d);
  }
  if (shape.size() > 1)
    h.pop_back();
  h += "), }";
  while ((10 + h.size() + 1) % 64 != 0)
    h += ' ';
  h += '\n';
  uint16_t len = static_cast<uint16_t>(h.size());
  return writeFile(path, {{"\x93NUMPY\x01\x00", 8},
                          {&len, 2},
                          {h.data(), h.size()},
                          {data, elems * dtypeSize(dtype)}});
}
