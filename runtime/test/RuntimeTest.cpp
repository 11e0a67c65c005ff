//===- RuntimeTest.cpp - unit tests of the runtime ------------------------===//
#include "weft/runtime/Runtime.h"
#include "weft/runtime/Npy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

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
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  h += char(dict.size());
  h += '\0';
  h += dict;
  h += std::string(16, '\0');
  Status s = parseNpy(h.data(), h.size(), arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("dtype"), std::string::npos) << s.message;
  // Right dtype, wrong data size.
  std::string h2 = h;
  h2.replace(h2.find("<f8"), 3, "<f4");
  s = parseNpy(h2.data(), h2.size(), arr);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("needs 8"), std::string::npos) << s.message;
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
