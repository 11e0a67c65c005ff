//===- File.cpp - reading untrusted files ---------------------------------===//
#include "weft/runtime/Runtime.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace weft;
using namespace weft::rt;

Status rt::readFile(const std::string &path, std::vector<char> &out,
                    uint64_t maxBytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Status::error("'" + path + "' is not a regular file");
  }
  if (uint64_t(st.st_size) > maxBytes) {
    close(fd);
    return Status::error("'" + path + "' is larger than " +
                         std::to_string(maxBytes) + " bytes");
  }
  out.resize(size_t(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t r = read(fd, out.data() + done, out.size() - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      close(fd);
      return Status::error("cannot read '" + path + "'");
    }
    done += size_t(r);
  }
  close(fd);
  return {};
}

Status
rt::writeFile(const std::string &path,
              const std::vector<std::pair<const void *, size_t>> &pieces) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return Status::error("cannot write '" + path +
                         "': " + std::strerror(errno));
  bool ok = true;
  for (auto [data, bytes] : pieces)
    ok = ok && std::fwrite(data, 1, bytes, f) == bytes;
  ok = std::fflush(f) == 0 && ok;
  int err = errno;
  ok = std::fclose(f) == 0 && ok;
  if (!ok)
    return Status::error("cannot write '" + path + "': " + std::strerror(err));
  return {};
}
