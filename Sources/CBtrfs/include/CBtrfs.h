#ifndef CBTRFS_H
#define CBTRFS_H

// The kernel's btrfs ioctl interface, as Debian's linux-libc-dev ships it.
// Swift imports the structures and plain constants of these headers directly; what it
// cannot import (the _IOR/_IOW/_IOWR request macros and the variadic ioctl(2) itself)
// is re-exported below.

#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/fs.h>
#include <stddef.h>

/// ioctl request numbers, computed by the kernel's own macros.
static const unsigned long CBTRFS_IOC_TREE_SEARCH_V2 = BTRFS_IOC_TREE_SEARCH_V2;
static const unsigned long CBTRFS_IOC_SPACE_INFO = BTRFS_IOC_SPACE_INFO;
static const unsigned long CBTRFS_IOC_DEV_INFO = BTRFS_IOC_DEV_INFO;
static const unsigned long CBTRFS_IOC_FS_INFO = BTRFS_IOC_FS_INFO;
static const unsigned long CBTRFS_IOC_BALANCE_V2 = BTRFS_IOC_BALANCE_V2;
static const unsigned long CBTRFS_IOC_BALANCE_CTL = BTRFS_IOC_BALANCE_CTL;
static const unsigned long CBTRFS_IOC_BALANCE_PROGRESS = BTRFS_IOC_BALANCE_PROGRESS;
static const unsigned long CBTRFS_IOC_GET_FEATURES = BTRFS_IOC_GET_FEATURES;
static const unsigned long CBTRFS_IOC_SCRUB = BTRFS_IOC_SCRUB;
static const unsigned long CBTRFS_IOC_SCRUB_CANCEL = BTRFS_IOC_SCRUB_CANCEL;
static const unsigned long CBTRFS_IOC_SCRUB_PROGRESS = BTRFS_IOC_SCRUB_PROGRESS;
static const unsigned long CBTRFS_IOC_GET_DEV_STATS = BTRFS_IOC_GET_DEV_STATS;
/// FITRIM comes from <linux/fs.h>: any filesystem's discard of its free space.
static const unsigned long CBTRFS_IOC_FITRIM = FITRIM;

/// Block-group flag masks (compound macros Swift cannot import).
static const unsigned long long CBTRFS_BLOCK_GROUP_PROFILE_MASK = BTRFS_BLOCK_GROUP_PROFILE_MASK;

/// The filesystem magic `statfs(2)` reports for btrfs.
static const unsigned long CBTRFS_SUPER_MAGIC = 0x9123683EUL;

/// Size of the fixed header of `struct btrfs_ioctl_search_args_v2` (key + buf_size).
static const size_t CBTRFS_SEARCH_ARGS_V2_HEADER_SIZE = sizeof(struct btrfs_ioctl_search_args_v2);

/// Byte offsets of fields inside on-disk items (little-endian, packed), from the kernel's own structures.
static const size_t CBTRFS_BLOCK_GROUP_ITEM_USED = offsetof(struct btrfs_block_group_item, used);
static const size_t CBTRFS_BLOCK_GROUP_ITEM_FLAGS = offsetof(struct btrfs_block_group_item, flags);
static const size_t CBTRFS_BLOCK_GROUP_ITEM_SIZE = sizeof(struct btrfs_block_group_item);
static const size_t CBTRFS_CHUNK_LENGTH = offsetof(struct btrfs_chunk, length);
static const size_t CBTRFS_CHUNK_TYPE = offsetof(struct btrfs_chunk, type);
static const size_t CBTRFS_CHUNK_NUM_STRIPES = offsetof(struct btrfs_chunk, num_stripes);
static const size_t CBTRFS_CHUNK_STRIPES = offsetof(struct btrfs_chunk, stripe);
static const size_t CBTRFS_STRIPE_SIZE = sizeof(struct btrfs_stripe);
static const size_t CBTRFS_STRIPE_DEVID = offsetof(struct btrfs_stripe, devid);
static const size_t CBTRFS_STRIPE_OFFSET = offsetof(struct btrfs_stripe, offset);
static const size_t CBTRFS_DEV_EXTENT_CHUNK_OFFSET = offsetof(struct btrfs_dev_extent, chunk_offset);
static const size_t CBTRFS_DEV_EXTENT_LENGTH = offsetof(struct btrfs_dev_extent, length);
static const size_t CBTRFS_DEV_EXTENT_SIZE = sizeof(struct btrfs_dev_extent);
static const size_t CBTRFS_SEARCH_HEADER_SIZE = sizeof(struct btrfs_ioctl_search_header);

/// Stores the `f_type` that fstatfs(2) reports for `fd` in `magic`; returns fstatfs's result.
int cbtrfs_filesystem_magic(int fd, unsigned long *magic);

/// ioctl(2) with a pointer argument. Returns the raw result; errno is left for the caller.
int cbtrfs_ioctl_pointer(int fd, unsigned long request, void *argument);

/// ioctl(2) with an integer passed by value (BALANCE_CTL takes its command this way).
int cbtrfs_ioctl_value(int fd, unsigned long request, long argument);

#endif
