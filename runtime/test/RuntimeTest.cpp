//===- RuntimeTest.cpp - unit tests of the runtime ------------------------===//
#include "weft/runtime/Runtime.h"
#include "weft/runtime/Npy.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace weft;
using namespace weft::rt;

TEST(Npy, RoundTrip) {
  std::string path = ::testing::TempDir() + "weft_rt.npy";
  float data[6] = {1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(writeNpy(path, format::DType::F32, {2, 3}, data).ok);
  NpyArray arr;
  Status s = readNpy(path, arr);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(arr.dtype, format::DType::F32);
  EXPECT_EQ(arr.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(arr.data.size(), sizeof(data));
  EXPECT_EQ(std::memcmp(arr.data.data(), data, sizeof(data)), 0);
  std::remove(path.c_str());
}

TEST(Npy, ScalarAndVector) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, std::vector<int64_t>{5}}) {
    std::string path = ::testing::TempDir() + "weft_rt_s.npy";
    int64_t data[5] = {1, -2, 3, -4, 5};
    ASSERT_TRUE(writeNpy(path, format::DType::I64, shape, data).ok);
    NpyArray arr;
    ASSERT_TRUE(readNpy(path, arr).ok);
    EXPECT_EQ(arr.shape, shape);
    std::remove(path.c_str());
  }
}

TEST(Npy, RejectsBadFiles) {
  NpyArray arr;
  EXPECT_FALSE(parseNpy("hello", 5, arr).ok);
  std::string h = "\x93NUMPY\x01";
  h += '\0';
  std::string dict =
      "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }";
  h += char(dict.size());
  h += '\0';
  h += dict;
  h += std::string(16, '\0');
  Status s = parseNpy(h.data(), h.size(), arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("dtype"), std::string::npos) << s.message;
  // Right dtype, wrong data size.
  std::string h2 = h;
  h2.replace(h2.find("<u2"), 3, "<f4");
  s = parseNpy(h2.data(), h2.size(), arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("needs 8"), std::string::npos) << s.message;
  // f64: two elements are exactly the 16 bytes.
  h2.replace(h2.find("<f4"), 3, "<f8");
  s = parseNpy(h2.data(), h2.size(), arr);
  EXPECT_TRUE(s.ok) << s.message;
  EXPECT_EQ(arr.dtype, format::DType::F64);
}

TEST(Artifact, RejectsGarbage) {
  format::ArtifactDesc info;
  Status s = parseArtifact("", 0, info);
  EXPECT_FALSE(s.ok);
  std::string junk(200, 'x');
  s = parseArtifact(junk.data(), junk.size(), info);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("bad magic"), std::string::npos) << s.message;
}

TEST(Artifact, RejectsOtherVersions) {
  format::Header h{};
  std::memcpy(h.magic, format::kMagic, 8);
  h.version = format::kVersion + 1;
  h.fileSize = sizeof(h);
  format::ArtifactDesc info;
  Status s = parseArtifact(reinterpret_cast<const char *>(&h), sizeof(h), info);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("version"), std::string::npos) << s.message;
}

//===----------------------------------------------------------------------===//
// .npy: bfloat16 and file errors
//===----------------------------------------------------------------------===//

namespace {
std::string readAll(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

/// A .npy 1.0 file with header dict `dict` and `data`.
std::string npyBytes(const std::string &dict, const std::string &data) {
  std::string h = dict;
  while ((10 + h.size() + 1) % 64 != 0)
    h += ' ';
  h += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += char(h.size() & 0xff);
  out += char(h.size() >> 8);
  return out + h + data;
}
} // namespace

TEST(Npy, BFloat16IsWrittenAsV2AndReadBack) {
  std::string path = ::testing::TempDir() + "weft_rt_bf16.npy";
  // 1.0, -2.5, the smallest normal, NaN: raw bf16 bits.
  uint16_t data[4] = {0x3f80, 0xc020, 0x0080, 0x7fc0};
  Status s = writeNpy(path, format::DType::BF16, {2, 2}, data);
  ASSERT_TRUE(s.ok) << s.message;
  std::string file = readAll(path);
  EXPECT_NE(file.find("'descr': '<V2'"), std::string::npos) << file;
  EXPECT_NE(file.find("'shape': (2,2)"), std::string::npos) << file;
  ASSERT_GE(file.size(), 10u);
  size_t headerLen = uint8_t(file[8]) | (size_t(uint8_t(file[9])) << 8);
  EXPECT_EQ((10 + headerLen) % 64, 0u); // data starts aligned
  EXPECT_EQ(file.size(), 10 + headerLen + sizeof(data));
  NpyArray arr;
  s = readNpy(path, arr);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(arr.dtype, format::DType::BF16);
  EXPECT_EQ(arr.shape, (std::vector<int64_t>{2, 2}));
  ASSERT_EQ(arr.data.size(), sizeof(data));
  EXPECT_EQ(std::memcmp(arr.data.data(), data, sizeof(data)), 0);
  std::remove(path.c_str());
}

TEST(Npy, PipeV2IsBFloat16) {
  std::string data("\x80\x3f\x00\x40\x40\x40", 6); // 1, 2, 3
  std::string file = npyBytes(
      "{'descr': '|V2', 'fortran_order': False, 'shape': (3,), }", data);
  NpyArray arr;
  Status s = parseNpy(file.data(), file.size(), arr);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(arr.dtype, format::DType::BF16);
  EXPECT_EQ(arr.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(std::string(arr.data.begin(), arr.data.end()), data);
  // '<i1' is int8 too.
  file = npyBytes("{'descr': '<i1', 'fortran_order': False, 'shape': (2,), }",
                  "ab");
  s = parseNpy(file.data(), file.size(), arr);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(arr.dtype, format::DType::I8);
  // Other void widths are not bf16.
  file = npyBytes("{'descr': '|V4', 'fortran_order': False, 'shape': (1,), }",
                  "abcd");
  s = parseNpy(file.data(), file.size(), arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("is not supported"), std::string::npos) << s.message;
}

TEST(Npy, EveryDTypeRoundTrips) {
  for (const format::DTypeInfo &d : format::kDTypes) {
    std::string path = ::testing::TempDir() + "weft_rt_dt.npy";
    std::vector<char> data(3 * d.bytes);
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = char(i * 37 + 1);
    ASSERT_TRUE(writeNpy(path, d.dtype, {3}, data.data()).ok) << d.name;
    NpyArray arr;
    Status s = readNpy(path, arr);
    ASSERT_TRUE(s.ok) << d.name << ": " << s.message;
    EXPECT_EQ(arr.dtype, d.dtype) << d.name;
    EXPECT_EQ(arr.data, data) << d.name;
    std::remove(path.c_str());
  }
}

TEST(Npy, FortranOrderAndBadVersionsAreRefused) {
  NpyArray arr;
  std::string file = npyBytes(
      "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "abcd");
  Status s = parseNpy(file.data(), file.size(), arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("Fortran"), std::string::npos) << s.message;
  file[6] = 4;
  s = parseNpy(file.data(), file.size(), arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("version 4"), std::string::npos) << s.message;
  // Every prefix of a valid file is refused, none crashes.
  file = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                  "abcd");
  ASSERT_TRUE(parseNpy(file.data(), file.size(), arr).ok);
  for (size_t n = 0; n < file.size(); ++n)
    EXPECT_FALSE(parseNpy(file.data(), n, arr).ok) << n << " bytes";
}

TEST(Npy, WritingToAFullDeviceFails) {
  float data[4] = {1, 2, 3, 4};
  Status s = writeNpy("/dev/full", format::DType::F32, {4}, data);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("cannot write '/dev/full'"), std::string::npos)
      << s.message;
  EXPECT_NE(s.message.find(std::strerror(ENOSPC)), std::string::npos)
      << s.message;
  // A large array (past stdio's buffer) fails the same way.
  std::vector<float> big(1 << 16);
  s = writeNpy("/dev/full", format::DType::F32, {int64_t(big.size())},
               big.data());
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("cannot write"), std::string::npos) << s.message;
  s = writeNpy("/nonexistent/dir/x.npy", format::DType::F32, {4}, data);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("cannot write"), std::string::npos) << s.message;
}

TEST(Npy, ReadingADirectoryOrADeviceFails) {
  for (std::string path : {::testing::TempDir(), std::string("/dev/zero")}) {
    NpyArray arr;
    Status s = readNpy(path, arr);
    EXPECT_FALSE(s.ok) << path;
    EXPECT_NE(s.message.find("is not a regular file"), std::string::npos)
        << s.message;
    EXPECT_NE(s.message.find(path), std::string::npos) << s.message;
  }
  NpyArray arr;
  Status s = readNpy("/nonexistent.npy", arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("cannot open"), std::string::npos) << s.message;
}
