#include "CBtrfs.h"
#include <sys/ioctl.h>
#include <sys/vfs.h>

int cbtrfs_filesystem_magic(int fd, unsigned long *magic) {
  struct statfs statistics;
  int result = fstatfs(fd, &statistics);
  if (result == 0) {
    *magic = (unsigned long)statistics.f_type;
  }
  return result;
}

int cbtrfs_ioctl_pointer(int fd, unsigned long request, void *argument) {
  return ioctl(fd, request, argument);
}

int cbtrfs_ioctl_value(int fd, unsigned long request, long argument) {
  return ioctl(fd, request, argument);
}
