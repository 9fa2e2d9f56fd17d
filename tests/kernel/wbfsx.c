// SPDX-License-Identifier: GPL-2.0
/*
 * wbfsx: randomized file operation tester with a model of the file.
 *
 * Runs random operations on one file (write, mmap store, truncate up/down,
 * fallocate, punch hole, zero range, fsync/fdatasync) while keeping the
 * expected contents in memory, and verifies the file against the model
 * after reads, after dropping the page cache, and (driven by a script)
 * after unmount/remount and after a simulated crash.
 *
 *   wbfsx run    FILE -s SEED -n OPS [-m MAXSIZE] [--state STATE]
 *   wbfsx crash  FILE -s SEED -n OPS [-m MAXSIZE] --state STATE [--nologflush]
 *   wbfsx verify FILE --state STATE
 *
 * run:    operations, checking reads against the model; with --state the
 *         final model is saved for a later `verify` (e.g. after remount).
 * crash:  operations, fsync, then a few more operations without fsync, then
 *         EXT4_IOC_SHUTDOWN (with or without log flush). STATE records the
 *         last fsynced model and the operations after it.
 * verify: the file must match STATE. After a crash: the fsynced data must
 *         be there, and every byte must be either its fsynced value, a value
 *         written by a later operation, or zero where a later operation
 *         could leave zeroes. Anything else is stale data. The size must be
 *         one the file had at the fsync or after a later operation, or lie
 *         within the growth of a later extending operation.
 *
 * Every failure prints the seed and operation number so it can be replayed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/falloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef EXT4_IOC_SHUTDOWN
#define EXT4_IOC_SHUTDOWN _IOR('X', 125, uint32_t)
#endif
#define EXT4_GOING_FLAGS_LOGFLUSH 0x1
#define EXT4_GOING_FLAGS_NOLOGFLUSH 0x2

#define MAX_TAIL_OPS 16
#define STATE_MAGIC 0x77626673784d4f44ULL /* "wbfsxMOD" */

enum op_type {
	OP_WRITE, OP_MMAP, OP_TRUNC, OP_FALLOC, OP_FALLOC_KEEP, OP_PUNCH,
	OP_ZERO, OP_ZERO_KEEP, OP_FSYNC, OP_FDATASYNC, OP_READ, OP_DROP,
	NR_OPS
};
static const char *op_names[] = {
	"write", "mmap", "truncate", "fallocate", "fallocate-keep", "punch",
	"zero", "zero-keep", "fsync", "fdatasync", "read", "drop-cache",
};

/* Operation record: kept for the operations after the last fsync. */
struct op {
	uint32_t type;
	uint32_t seq;
	uint64_t off, len;
	uint64_t size_before, size_after;
};

struct state {
	uint64_t magic, seed, maxsize, size; /* fsynced (or final) model */
	uint32_t nr_tail;
	uint32_t crashed;
	struct op tail[MAX_TAIL_OPS];
};

static uint64_t seed, maxsize = 8 << 20, nops = 1000;
static uint8_t *model;
static uint64_t msize;
static int fd = -1;
static const char *path;
static uint64_t cur_op;
static long pagesz;
static int block = 4096;
static int verbose;

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wbfsx: FAIL (seed %llu, op %llu): ", (unsigned long long)seed,
		(unsigned long long)cur_op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wbfsx: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* xorshift64*: deterministic from the seed, so a run can be replayed. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static uint64_t rnd_below(uint64_t n) { return n ? rnd() % n : 0; }

/* Content written by operation seq at file offset off: never 0 for writes. */
static uint8_t pattern(uint32_t seq, uint64_t off)
{
	uint64_t x = (off * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)seq << 32) ^ seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return (uint8_t)(x % 255) + 1;
}

static void model_resize(uint64_t size)
{
	if (size > msize)
		memset(model + msize, 0, size - msize);
	msize = size;
}

/* Random range, biased towards block-unaligned edges and the EOF area. */
static void pick_range(uint64_t *off, uint64_t *len, uint64_t limit)
{
	uint64_t o, l;

	switch (rnd_below(4)) {
	case 0: /* around EOF */
		o = msize > 2 * (uint64_t)block ? msize - rnd_below(2 * block) : rnd_below(2 * block);
		break;
	case 1: /* block aligned */
		o = rnd_below(limit / block) * block;
		break;
	default:
		o = rnd_below(limit);
	}
	switch (rnd_below(4)) {
	case 0: l = 1 + rnd_below(512); break;
	case 1: l = 1 + rnd_below(4 * block); break;
	case 2: l = block * (1 + rnd_below(64)); break;
	default: l = 1 + rnd_below(1 << 20); break;
	}
	if (o >= limit)
		o = limit - 1;
	if (o + l > limit)
		l = limit - o;
	*off = o;
	*len = l;
}

static void xpwrite(const uint8_t *buf, uint64_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("pwrite(%llu, %llu): %s", (unsigned long long)off,
			     (unsigned long long)len, strerror(errno));
		}
		buf += n;
		len -= n;
		off += n;
	}
}

static void check_range(uint64_t off, uint64_t len, const char *when)
{
	static uint8_t *buf;
	uint64_t done = 0;

	if (!buf)
		buf = malloc(1 << 20);
	while (done < len) {
		uint64_t chunk = len - done > (1 << 20) ? (1 << 20) : len - done;
		ssize_t n = pread(fd, buf, chunk, off + done);

		if (n < 0)
			fail("pread: %s", strerror(errno));
		if ((uint64_t)n != chunk)
			fail("%s: short read at %llu: %zd of %llu (size %llu)", when,
			     (unsigned long long)(off + done), n, (unsigned long long)chunk,
			     (unsigned long long)msize);
		for (uint64_t i = 0; i < chunk; i++) {
			if (buf[i] != model[off + done + i])
				fail("%s: byte %llu is 0x%02x, expected 0x%02x (size %llu)", when,
				     (unsigned long long)(off + done + i), buf[i],
				     model[off + done + i], (unsigned long long)msize);
		}
		done += chunk;
	}
}

static void check_all(const char *when)
{
	struct stat st;

	if (fstat(fd, &st))
		fail("fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != msize)
		fail("%s: size %lld, expected %llu", when, (long long)st.st_size,
		     (unsigned long long)msize);
	check_range(0, msize, when);
}

static void drop_cache(void)
{
	if (fsync(fd))
		fail("fsync before dropping the cache: %s", strerror(errno));
	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		fail("fadvise(DONTNEED): %s", strerror(errno));
}

/* Apply one random operation to file and model; record it in *rec. */
static void do_op(struct op *rec, int allow_sync)
{
	uint64_t off = 0, len = 0;
	enum op_type t;
	int mode, ret;

	do {
		t = rnd_below(NR_OPS);
	} while (!allow_sync && (t == OP_FSYNC || t == OP_FDATASYNC || t == OP_DROP));
	/* Writes dominate, like real workloads. */
	if (rnd_below(3) == 0)
		t = OP_WRITE;
	rec->type = t;
	rec->seq = (uint32_t)cur_op;
	rec->off = rec->len = 0;
	rec->size_before = msize;

	switch (t) {
	case OP_WRITE: {
		uint8_t *buf;

		pick_range(&off, &len, maxsize);
		buf = malloc(len);
		for (uint64_t i = 0; i < len; i++)
			buf[i] = pattern(rec->seq, off + i);
		xpwrite(buf, len, off);
		if (off + len > msize)
			model_resize(off + len);
		memcpy(model + off, buf, len);
		free(buf);
		break;
	}
	case OP_MMAP: {
		uint64_t moff;
		uint8_t *p;

		if (msize == 0)
			goto skip;
		pick_range(&off, &len, msize);
		moff = off & ~((uint64_t)pagesz - 1);
		p = mmap(NULL, off + len - moff, PROT_READ | PROT_WRITE, MAP_SHARED, fd, moff);
		if (p == MAP_FAILED)
			fail("mmap(%llu, %llu): %s", (unsigned long long)moff,
			     (unsigned long long)(off + len - moff), strerror(errno));
		for (uint64_t i = 0; i < len; i++)
			p[off - moff + i] = model[off + i] = pattern(rec->seq, off + i);
		if (rnd_below(2) && msync(p, off + len - moff, MS_SYNC))
			fail("msync: %s", strerror(errno));
		munmap(p, off + len - moff);
		break;
	}
	case OP_TRUNC:
		off = rnd_below(2) ? rnd_below(maxsize) : (msize ? rnd_below(msize) : 0);
		if (rnd_below(3) == 0)
			off = off / block * block;
		if (ftruncate(fd, off))
			fail("ftruncate(%llu): %s", (unsigned long long)off, strerror(errno));
		model_resize(off);
		break;
	case OP_FALLOC:
	case OP_FALLOC_KEEP:
	case OP_PUNCH:
	case OP_ZERO:
	case OP_ZERO_KEEP:
		pick_range(&off, &len, maxsize);
		if ((t == OP_PUNCH) && off >= msize)
			goto skip;
		mode = t == OP_FALLOC ? 0 :
		       t == OP_FALLOC_KEEP ? FALLOC_FL_KEEP_SIZE :
		       t == OP_PUNCH ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
		       t == OP_ZERO ? FALLOC_FL_ZERO_RANGE :
		       FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
		ret = fallocate(fd, mode, off, len);
		if (ret && errno == EOPNOTSUPP)
			goto skip;
		if (ret)
			fail("fallocate(%s, %llu, %llu): %s", op_names[t],
			     (unsigned long long)off, (unsigned long long)len, strerror(errno));
		if (t == OP_PUNCH || t == OP_ZERO || t == OP_ZERO_KEEP) {
			uint64_t end = off + len < msize ? off + len : msize;

			if (off < end)
				memset(model + off, 0, end - off);
		}
		if ((t == OP_FALLOC || t == OP_ZERO) && off + len > msize)
			model_resize(off + len);
		break;
	case OP_FSYNC:
		if (fsync(fd))
			fail("fsync: %s", strerror(errno));
		break;
	case OP_FDATASYNC:
		if (fdatasync(fd))
			fail("fdatasync: %s", strerror(errno));
		break;
	case OP_READ:
		if (msize) {
			pick_range(&off, &len, msize);
			check_range(off, len, "read");
		}
		break;
	case OP_DROP:
		drop_cache();
		check_all("after dropping the page cache");
		break;
	default:
		break;
	}
	rec->off = off;
	rec->len = len;
	rec->size_after = msize;
	if (verbose)
		fprintf(stderr, "op %llu: %s %llu +%llu -> size %llu\n", (unsigned long long)cur_op,
			op_names[t], (unsigned long long)off, (unsigned long long)len,
			(unsigned long long)msize);
	return;
skip:
	rec->type = OP_READ;
	rec->size_after = msize;
}

static void save_state(const char *file, struct state *st)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write %s: %s", tmp, strerror(errno));
	if (fwrite(st, sizeof(*st), 1, f) != 1 || fwrite(model, 1, st->size, f) != st->size ||
	    fclose(f))
		die("writing %s failed", tmp);
	if (rename(tmp, file))
		die("rename %s: %s", tmp, strerror(errno));
}

static void load_state(const char *file, struct state *st)
{
	FILE *f = fopen(file, "r");

	if (!f)
		die("cannot read state %s: %s", file, strerror(errno));
	if (fread(st, sizeof(*st), 1, f) != 1 || st->magic != STATE_MAGIC)
		die("%s is not a wbfsx state file", file);
	seed = st->seed;
	maxsize = st->maxsize;
	model = calloc(1, maxsize + 1);
	if (st->size > maxsize || fread(model, 1, st->size, f) != st->size)
		die("%s is truncated or corrupt", file);
	msize = st->size;
	fclose(f);
}

/* After a crash: is byte i with value v explained by the state? */
static int byte_allowed(const struct state *st, uint64_t i, uint8_t v)
{
	if (i < st->size && v == model[i])
		return 1;
	for (uint32_t k = 0; k < st->nr_tail; k++) {
		const struct op *o = &st->tail[k];
		int covers = i >= o->off && i < o->off + o->len;

		if (v == 0) {
			/* zeroes: beyond the fsynced size, or zeroed/truncated later */
			if (i >= st->size)
				return 1;
			if (covers && (o->type == OP_PUNCH || o->type == OP_ZERO ||
				       o->type == OP_ZERO_KEEP))
				return 1;
			if (o->type == OP_TRUNC && i >= o->off)
				return 1;
		}
		if (covers && (o->type == OP_WRITE || o->type == OP_MMAP) &&
		    v == pattern(o->seq, i))
			return 1;
	}
	return 0;
}

static int verify_crash(const struct state *st)
{
	struct stat sb;
	uint8_t buf[65536];
	uint64_t size, pos = 0;
	int size_ok = 0;

	if (fstat(fd, &sb))
		die("fstat: %s", strerror(errno));
	size = sb.st_size;
	if (size == st->size)
		size_ok = 1;
	/*
	 * A later operation's size, or for one that extended the file, any
	 * size in between: writeback can persist part of an extending write.
	 */
	for (uint32_t k = 0; k < st->nr_tail; k++) {
		const struct op *o = &st->tail[k];

		if (size == o->size_after ||
		    (size > o->size_before && size < o->size_after))
			size_ok = 1;
	}
	if (!size_ok)
		fail("after crash: size %llu is neither the fsynced size %llu nor a later one",
		     (unsigned long long)size, (unsigned long long)st->size);
	while (pos < size) {
		ssize_t n = pread(fd, buf, sizeof(buf), pos);

		if (n <= 0)
			fail("after crash: read at %llu: %s", (unsigned long long)pos,
			     n < 0 ? strerror(errno) : "short");
		for (ssize_t i = 0; i < n; i++)
			if (!byte_allowed(st, pos + i, buf[i]))
				fail("after crash: byte %llu is 0x%02x: neither fsynced (0x%02x) nor written later: stale data",
				     (unsigned long long)(pos + i), buf[i],
				     pos + i < st->size ? model[pos + i] : 0);
		pos += n;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: wbfsx run|crash|verify FILE [-s SEED] [-n OPS] [-m MAXSIZE] "
		"[--state FILE] [--nologflush] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "state", required_argument, NULL, 'S' },
		{ "nologflush", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode_s, *state_file = NULL;
	int nologflush = 0, c, have_seed = 0;
	struct state st;
	char *end;

	if (argc < 3)
		usage();
	mode_s = argv[1];
	path = argv[2];
	optind = 3;
	while ((c = getopt_long(argc, argv, "s:n:m:v", lopts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, &end, 0); have_seed = 1;
			if (*end) die("bad seed '%s'", optarg);
			break;
		case 'n': nops = strtoull(optarg, &end, 0);
			if (*end) die("bad operation count '%s'", optarg);
			break;
		case 'm': maxsize = strtoull(optarg, &end, 0);
			if (*end || maxsize < 65536 || maxsize > (1ULL << 32))
				die("bad max size '%s' (64 KiB to 4 GiB)", optarg);
			break;
		case 'v': verbose = 1; break;
		case 'S': state_file = optarg; break;
		case 'N': nologflush = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	pagesz = sysconf(_SC_PAGESIZE);

	if (!strcmp(mode_s, "verify")) {
		if (!state_file)
			die("verify needs --state");
		load_state(state_file, &st);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			fail("open %s: %s", path, strerror(errno));
		if (st.crashed)
			verify_crash(&st);
		else
			check_all("after remount");
		printf("wbfsx: verify ok (seed %llu, %s, size %llu)\n", (unsigned long long)seed,
		       st.crashed ? "after crash" : "after remount", (unsigned long long)msize);
		return 0;
	}
	if (strcmp(mode_s, "run") && strcmp(mode_s, "crash"))
		usage();
	if (!have_seed)
		seed = (uint64_t)getpid() ^ ((uint64_t)time(NULL) << 16);
	if (!strcmp(mode_s, "crash") && !state_file)
		die("crash needs --state (kept on another file system)");
	rng_state = seed ? seed : 1;
	printf("wbfsx: %s %s seed %llu ops %llu maxsize %llu\n", mode_s, path,
	       (unsigned long long)seed, (unsigned long long)nops, (unsigned long long)maxsize);
	fflush(stdout);
	model = calloc(1, maxsize + 1);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	{
		struct stat sb;

		if (!fstat(fd, &sb))
			block = sb.st_blksize;
	}

	memset(&st, 0, sizeof(st));
	st.magic = STATE_MAGIC;
	st.seed = seed;
	st.maxsize = maxsize;
	for (cur_op = 0; cur_op < nops; cur_op++) {
		struct op rec;

		do_op(&rec, 1);
	}
	check_all("end of run");

	if (!strcmp(mode_s, "run")) {
		if (state_file) {
			if (fsync(fd))
				fail("final fsync: %s", strerror(errno));
			st.size = msize;
			save_state(state_file, &st);
		}
		printf("wbfsx: ok (seed %llu, %llu ops, size %llu)\n", (unsigned long long)seed,
		       (unsigned long long)nops, (unsigned long long)msize);
		return 0;
	}

	/* crash: checkpoint, a tail of unsynced operations, then shutdown. */
	if (fsync(fd))
		fail("checkpoint fsync: %s", strerror(errno));
	st.size = msize;
	st.crashed = 1;
	st.nr_tail = 1 + rnd_below(MAX_TAIL_OPS);
	save_state(state_file, &st);	/* model at checkpoint */
	{
		uint8_t *fsynced = malloc(st.size + 1);

		memcpy(fsynced, model, st.size);
		for (uint32_t k = 0; k < st.nr_tail; k++, cur_op++)
			do_op(&st.tail[k], 0);
		/* The state keeps the fsynced contents plus the tail records. */
		memcpy(model, fsynced, st.size);
		free(fsynced);
	}
	save_state(state_file, &st);
	/*
	 * Put part of the unsynced data in flight: start writeback without
	 * waiting, and sometimes give it a moment, so that the shutdown hits
	 * I/O being submitted, completing and converting.
	 */
	if (rnd_below(3)) {
		if (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE))
			fail("sync_file_range: %s", strerror(errno));
		if (rnd_below(2))
			usleep(rnd_below(50000));
	}
	{
		uint32_t flags = nologflush ? EXT4_GOING_FLAGS_NOLOGFLUSH : EXT4_GOING_FLAGS_LOGFLUSH;

		if (ioctl(fd, EXT4_IOC_SHUTDOWN, &flags))
			die("EXT4_IOC_SHUTDOWN: %s", strerror(errno));
	}
	printf("wbfsx: shut down after %u unsynced ops (seed %llu)\n", st.nr_tail,
	       (unsigned long long)seed);
	return 0;
}
