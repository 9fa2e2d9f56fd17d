/* SPDX-License-Identifier: GPL-2.0 */
/* wbscope lockorder: types shared by lockorder.bpf.c, lockorder.c and lib/lockgraph.c. */
#ifndef WB_LOCKORDER_H
#define WB_LOCKORDER_H

/* Lock classes, in the order the buffer_head write path documents (fs/ext4/super.c). */
enum lo_class {
	LO_I_RWSEM,	/* inode->i_rwsem (optional) */
	LO_HANDLE,	/* a running jbd2 handle (current->journal_info) */
	LO_FOLIO,	/* a page-cache folio lock of an ext4 regular file */
	LO_I_DATA_SEM,	/* EXT4_I(inode)->i_data_sem */
	LO_NR_CLASSES,
};

/* The code path an acquisition happened on. */
enum lo_path {
	LO_PATH_BH,	/* buffer_head writeback (ext4_writepages on ext4_aops / da_aops) */
	LO_PATH_IOMAP,	/* iomap writeback (ext4_iomap_aops) */
	LO_PATH_OTHER,	/* anything else: write(2), truncate, fsync's own work, end I/O */
	LO_NR_PATHS,
};

#define LO_MAX_HELD 16		/* locks one task holds at once that the tool tracks (a power of 2) */
#define LO_EDGE_DEVS 64		/* devices with edges (= WB_MAX_DEVS: a device's slot) */
/* Edges: one array entry per (device slot, path, from class, to class). */
#define LO_MAX_EDGES (LO_EDGE_DEVS * LO_NR_PATHS * LO_NR_CLASSES * LO_NR_CLASSES)
#define LO_STACK_DEPTH 32	/* frames kept for each edge's first stack */
#define LO_MAX_STACKS 2048

enum lo_mode {
	LO_MODE_EXCL = 1,	/* write / exclusive */
	LO_MODE_SHARED = 2,	/* read */
};

/* "from was held while to was taken", per path and device. */
struct lo_edge_key {
	unsigned int from;	/* enum lo_class */
	unsigned int to;	/* enum lo_class */
	unsigned int path;	/* enum lo_path */
	unsigned int dev;	/* dev_t of the file system of the lock taken (to) */
};

struct lo_edge_val {
	struct lo_edge_key key;		/* the edge this entry holds, once claimed */
	unsigned long long claimed;	/* 0: no such edge seen yet (64 bits: BPF compare-and-swap) */
	unsigned long long count;
	unsigned long long from_obj;	/* first seen: inode number (folio, i_data_sem, i_rwsem) */
	unsigned long long to_obj;	/* or the journal's device for a handle */
	int stack_id;			/* first stack of the acquisition of "to", or < 0 */
	unsigned int pid;
	unsigned int from_dev;		/* device of the lock held */
	unsigned int modes;		/* bits: from mode << 4 | to mode */
	char comm[16];
};

#endif
