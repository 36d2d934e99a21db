#include "CBtrfs.h"
#include <sys/ioctl.h>

int cbtrfs_ioctl_pointer(int fd, unsigned long request, void *argument) {
  return ioctl(fd, request, argument);
}

int cbtrfs_ioctl_value(int fd, unsigned long request, long argument) {
  return ioctl(fd, request, argument);
}
