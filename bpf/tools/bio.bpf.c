// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope bio: write-back bios from submission to completion, per device and path.
 *
 * On the wbscope kernel: ext4's own events, which fire for ext4's write-back data bios
 * alone, each knowing its path; the journal's and the metadata's bios run no program.
 * From kernel patch 21 on, the completion events ext4_end_bio / ext4_iomap_end_bio
 * carry the bio's size and its time in flight (ext4 stamps the submission while the
 * event is enabled): one program run per bio, nothing kept between submission and
 * completion. Before it, with -p (the submitter is known at submission only), with
 * --hooks fentry|kprobe, or without bio->issue_time_ns (no CONFIG_BLK_CGROUP; see
 * bio.c), ext4_submit_bio / ext4_iomap_submit_bio at submission are paired with the
 * completion events (the bio is their 7th argument): two program runs per bio. Other file systems
 * (XFS) are not seen then: --block-layer uses the block layer's events. Sampling where the
 * kernel picks the bios (patches 25 and 26; bio's default there, and --sample): the
 * writepages calls' done event counts every bio and byte they submitted, and
 * ext4_bio_timed reports the picked bios (ext4.bio_time_sample) with their time and size,
 * and every failed bio: no program on any submission, nor on other bios' completion.
 *
 * Elsewhere, submission: the block_bio_queue tracepoint (tp_btf, reading the bio
 * directly, where the kernel allows tracing programs; else raw_tp). A bio is write-back
 * data of a path when
 * its bi_end_io is that path's completion function: ext4_end_bio (buffer_head),
 * ext4_iomap_end_bio (wbscope kernel), or XFS's and the generic iomap completion
 * (iomap); bios chained under such a bio count for it. Everything else (journal,
 * metadata, reads) is ignored. bios are keyed by pointer, in an in-flight table
 * (slots.bpf.h) rather than a hash map: no locked insert and delete per bio.
 * Completion, best first: block_rq_complete walking the request's finished bios plus
 * block_bio_complete for bio-based devices (dm, md), both tracepoints; else fentry or a
 * kprobe on bio_endio. (block_bio_complete alone misses blk-mq devices.)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "slots.bpf.h"
#include "groups.bpf.h"
#include "bio.h"

/* --sample N: N - 1 (N a power of two); 0: every bio is timed. */
const volatile __u32 targ_sample_mask = 0;
/* top shows no bio sizes: it clears this, and no program keeps the size histogram. */
const volatile bool targ_size_hist = true;

/*
 * With --sample, whether the bio of key is one of the timed ones: a hash of the pointer,
 * so that its completion decides the same way without a table look-up. Its bits are
 * not those that pick the bio's slot (wb_slot_hash), so timed bios spread over the table.
 */
static __always_inline bool bio_timed(__u64 key)
{
	return !(((key * 0xBF58476D1CE4E5B9ULL) >> 48) & targ_sample_mask);
}

/* Write-back bios between submission and completion, by bio pointer. */
WB_SLOT_TABLE(starts, struct bio_start, BIO_MAX_INFLIGHT);

WB_GROUP_STATS(stats, struct bio_val);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BIO_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Completion functions; weak: a kernel may lack any of them (0 then). */
extern const void ext4_end_bio __ksym __weak;
extern const void ext4_iomap_end_bio __ksym __weak;
extern const void xfs_end_bio __ksym __weak;
extern const void ioend_writeback_end_bio __ksym __weak;
extern const void bio_chain_endio __ksym __weak;

static __always_inline bool is_fn(void *fn, const void *sym)
{
	return sym && fn == sym;
}

/*
 * enum wb_path of a write-back bio, -1 for any other bio. *owner: the bio whose end_io
 * matched. btf: bio is a typed tracepoint argument (tp_btf), read directly; the parent
 * of a chained bio is not, and is read with BPF_CORE_READ either way.
 */
static __always_inline int bio_path(struct bio *bio, struct bio **owner, const bool btf)
{
	void *fn = WB_RD(btf, bio, bi_end_io);

	if (!fn)
		return -1;
	if (is_fn(fn, &bio_chain_endio)) {
		bio = WB_RD(btf, bio, bi_private);
		if (!bio)
			return -1;
		fn = BPF_CORE_READ(bio, bi_end_io);
	}
	*owner = bio;
	if (is_fn(fn, &ext4_end_bio))
		return WB_PATH_BH;
	if (is_fn(fn, &ext4_iomap_end_bio) || is_fn(fn, &xfs_end_bio) ||
	    is_fn(fn, &ioend_writeback_end_bio))
		return WB_PATH_IOMAP;
	return -1;
}

static __always_inline __u64 bio_ino(struct bio *owner, int path)
{
	if (path == WB_PATH_BH) {
		struct ext4_io_end *io_end = BPF_CORE_READ(owner, bi_private);

		return io_end ? BPF_CORE_READ(io_end, inode, i_ino) : 0;
	} else {
		/* iomap: the bio is embedded in its struct iomap_ioend. */
		struct iomap_ioend *ioend = (void *)((char *)owner -
						     bpf_core_field_offset(struct iomap_ioend, io_bio));

		return BPF_CORE_READ(ioend, io_inode, i_ino);
	}
}

/* A write-back bio of path on dev, past the filters, is submitted: count or time it. */
static __always_inline void bio_submitted(struct bio *bio, __u32 dev, int path, const bool btf)
{
	struct bio_start *s = NULL;
	__u64 key;
	bool stale;
	__u32 size;

	key = wb_ptr_key_t(bio, btf);
	size = WB_RD(btf, bio, bi_iter.bi_size);
	if (targ_sample_mask) {
		/* Every bio counts now; only the timed ones go on to their completion. */
		struct bio_val *v = wb_group(&stats, dev, path);

		if (!v) {
			wb_count(&counters, BIO_CNT_DROP_STATS);
			return;
		}
		v->bios++;
		v->bytes += size;
		if (targ_size_hist)
			wb_hist_add(&v->size, size >> 10);
		if (!bio_timed(key))
			return;
	}
	wb_count(&counters, BIO_CNT_QUEUED);
	if (key)
		s = (struct bio_start *)wb_slot_take(&starts, BIO_MAX_INFLIGHT, key, bpf_ktime_get_ns(),
						     BIO_STALE_NS, &stale);
	if (!s) {
		wb_count(&counters, BIO_CNT_DROP_INFLIGHT);
		return;
	}
	if (stale)
		wb_count(&counters, BIO_CNT_STALE);
	s->dev = dev;
	s->path = path;
	s->size = size;
}

static __always_inline int bio_queue_ev(struct bio *bio, const bool btf)
{
	struct bio *owner = bio;
	__u32 dev;
	int path;

	/* Cheapest test first: every bio of the system comes through here. */
	dev = WB_RD(btf, bio, bi_bdev, bd_dev);
	if (targ_dev && dev != targ_dev)
		return 0;
	path = bio_path(bio, &owner, btf);
	if (path < 0)
		return 0;
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return 0;
	if (targ_ino && bio_ino(owner, path) != targ_ino)
		return 0;
	bio_submitted(bio, dev, path, btf);
	return 0;
}
#define CALL(btf) bio_queue_ev(bio, btf)
WB_TWIN(block_bio_queue, bio_queue, CALL, struct bio *bio)
#undef CALL

/* wbscope kernel: ext4 submits a write-back data bio of a known path. */
static __always_inline int ext4_submit_ev(struct inode *inode, struct bio *bio, int path,
					  const bool btf)
{
	__u32 dev = WB_RD(btf, bio, bi_bdev, bd_dev);

	if (targ_dev && dev != targ_dev)
		return 0;
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return 0;
	if (targ_ino && WB_RD(btf, inode, i_ino) != targ_ino)
		return 0;
	bio_submitted(bio, dev, path, btf);
	return 0;
}
#define CALL(btf) ext4_submit_ev(inode, bio, WB_PATH_BH, btf)
WB_TWIN(ext4_submit_bio, ext4_submit, CALL, struct inode *inode, loff_t offset, struct bio *bio)
#undef CALL
#define CALL(btf) ext4_submit_ev(inode, bio, WB_PATH_IOMAP, btf)
WB_TWIN(ext4_iomap_submit_bio, ext4_iomap_submit, CALL, struct inode *inode, loff_t offset,
	struct bio *bio)
#undef CALL

/*
 * Every completed bio of the system passes through these: nothing is read before the
 * in-flight table says the bio is ours. btf: bio is typed, see wb_ptr_key_t.
 */
static __always_inline struct bio_start *bio_started(struct bio *bio, __u64 *key, const bool btf)
{
	*key = wb_ptr_key_t(bio, btf);
	if (!*key || (targ_sample_mask && !bio_timed(*key)))
		return NULL;
	return (struct bio_start *)wb_slot_find(&starts, BIO_MAX_INFLIGHT, *key);
}

/* The bio of slot s (its key) completed at now with error. */
static __always_inline void bio_account(struct bio_start *s, __u64 key, __u64 now, bool error)
{
	__u32 size = s->size, dev = s->dev, path = s->path;
	__u64 ts = s->slot.ts, delta;
	struct bio_val *v;

	wb_slot_free(&s->slot, key);
	wb_count(&counters, BIO_CNT_DONE);
	v = wb_group(&stats, dev, path);
	if (!v) {
		wb_count(&counters, BIO_CNT_DROP_STATS);
		return;
	}
	delta = now > ts ? now - ts : 0;
	if (!targ_sample_mask) {	/* else counted at submission */
		v->bios++;
		v->bytes += size;
		if (targ_size_hist)
			wb_hist_add(&v->size, size >> 10);
	}
	v->errors += error;
	v->lat_ns_sum += delta;
	wb_hist_add(&v->lat, wb_time_unit(delta));
}

/* One of a request's bios completed at now, with the request's error. */
static __always_inline void bio_done(struct bio *bio, __u64 now, bool error, const bool btf)
{
	struct bio_start *s;
	__u64 key;

	s = bio_started(bio, &key, btf);
	if (s)
		bio_account(s, key, now, error);
}

/*
 * A bio completed on its own (bio_endio): its own status, the clock read only if ours.
 * Its end_io is still set here: a bio that is not a write-back bio (the journal's,
 * metadata, reads) stops at that, before the in-flight table is searched for it in
 * vain. Only with typed reads (tp_btf); a probe read costs about what the search does.
 */
static __always_inline void bio_ended(struct bio *bio, const bool btf)
{
	struct bio_start *s;
	struct bio *owner;
	__u64 key;

	if (btf && bio_path(bio, &owner, btf) < 0)
		return;
	s = bio_started(bio, &key, btf);
	if (s)
		bio_account(s, key, bpf_ktime_get_ns(), WB_RD(btf, bio, bi_status) != 0);
}

/* State of the walk over a completed request's bios (bpf_loop callback). */
struct rq_walk {
	__u64 bio;	/* struct bio *, as a number: the verifier keeps no type across calls */
	__u64 now;
	__u32 left;
	bool error;
	bool ended;	/* no bio left, or the next one is not complete yet */
};

/* One bio of the walk. btf: read it directly through a WB_VIEW where the kernel allows. */
static __always_inline long rq_walk_step(struct rq_walk *w, const bool btf)
{
	struct bio *raw = (struct bio *)w->bio, *bio;
	__u32 size;

	if (!raw) {
		w->ended = true;
		return 1;
	}
	bio = WB_VIEW(btf, raw, struct bio);
	/* Only bios entirely inside nr_bytes end now (partial completions). */
	size = WB_VRD(bio, raw, bi_iter.bi_size);
	if (size > w->left) {
		w->ended = true;
		return 1;
	}
	w->left -= size;
	bio_done(raw, w->now, w->error, btf);	/* btf: raw may hold a typed bi_next */
	w->bio = (__u64)WB_VRD(bio, raw, bi_next);
	return 0;
}

static long rq_walk_one(__u64 i, void *ctx)
{
	return rq_walk_step(ctx, false);
}

static long rq_walk_one_btf(__u64 i, void *ctx)
{
	return rq_walk_step(ctx, true);
}

static __always_inline int rq_complete_ev(struct request *rq, int error, unsigned int nr_bytes,
					  const bool btf)
{
	struct bio *first = WB_RD(btf, rq, bio);
	struct rq_walk w = {
		.now = bpf_ktime_get_ns(),
		.left = nr_bytes,
		.error = error != 0,
	};

	if (!first)
		return 0;
	/* A request's bios share its device: skip other devices' requests at once. */
	if (targ_dev && WB_RD(btf, first, bi_bdev, bd_dev) != targ_dev)
		return 0;
	wb_count(&counters, BIO_CNT_REQUESTS);
	w.bio = wb_ptr_key_t(first, btf);
	/* bpf_loop: the verifier checks the callback once, so the bound can be large
	 * (a request merges up to max_segments bios, more when segments merge). */
	bpf_loop(BIO_RQ_MAX_BIOS, btf ? rq_walk_one_btf : rq_walk_one, &w, 0);
	if (!w.ended && w.bio)
		wb_count(&counters, BIO_CNT_RQ_TRUNCATED);
	return 0;
}
#define CALL(btf) rq_complete_ev(rq, error, nr_bytes, btf)
WB_TWIN(block_rq_complete, bio_rq_complete, CALL, struct request *rq, int error, unsigned int nr_bytes)
#undef CALL

#define CALL(btf) ({ bio_ended(bio, btf); 0; })
WB_TWIN(block_bio_complete, bio_complete, CALL, struct request_queue *q, struct bio *bio)
#undef CALL

/*
 * wbscope kernel: ext4 completes one of its write-back bios (the last argument; the
 * events' other arguments describe the file range, see scripts/trace).
 */
static __always_inline int ext4_end_ev(struct bio *bio, int error, const bool btf)
{
	struct bio_start *s;
	__u64 key;

	s = bio_started(bio, &key, btf);
	if (s)
		bio_account(s, key, bpf_ktime_get_ns(), error != 0);
	return 0;
}
#define CALL(btf) ext4_end_ev(bio, error, btf)
WB_TWIN(ext4_end_bio, ext4_end, CALL, struct inode *inode, loff_t offset, unsigned int size,
	unsigned int flag, int error, bool defer, struct bio *bio)
WB_TWIN(ext4_iomap_end_bio, ext4_iomap_end, CALL, struct inode *inode, loff_t offset,
	size_t size, unsigned int io_flags, int error, bool defer, struct bio *bio)
#undef CALL

/*
 * The statistics of an ext4 write-back bio of path past the -d and --ino filters: NULL
 * when filtered out, or when the device found no slot (counted as a drop).
 */
static __always_inline struct bio_val *ext4_bio_group(struct inode *inode, struct bio *bio,
						      int path, const bool btf)
{
	__u32 dev = WB_RD(btf, bio, bi_bdev, bd_dev);
	struct bio_val *v;

	if (targ_dev && dev != targ_dev)
		return NULL;
	if (targ_ino && WB_RD(btf, inode, i_ino) != targ_ino)
		return NULL;
	v = wb_group(&stats, dev, path);
	if (!v)
		wb_count(&counters, BIO_CNT_DROP_STATS);
	return v;
}

/* A timed bio's error and time in flight. */
static __always_inline void bio_timed_add(struct bio_val *v, int error, __u64 in_flight)
{
	if (error)
		v->errors++;
	v->lat_ns_sum += in_flight;
	wb_hist_add(&v->lat, wb_time_unit(in_flight));
}

/*
 * wbscope kernel from patch 21: a completion that says how long its bio was in flight
 * (0: not measured, a bio submitted before the event was enabled) and what it carried.
 * Everything is counted here; there is no submission program. The -p filter is not
 * possible here (bio_open then takes the pairing alternatives).
 */
static __always_inline int ext4_done_ev(struct inode *inode, struct bio *bio, __u32 bytes,
					int error, __u64 in_flight, int path, const bool btf)
{
	/* Completions are not counted here: bio.c adds them up from the groups' bios and
	 * the drops (one counter fewer to bump on every bio). */
	struct bio_val *v = ext4_bio_group(inode, bio, path, btf);

	if (!v)
		return 0;
	v->bios++;
	v->bytes += bytes;
	if (targ_size_hist)
		wb_hist_add(&v->size, bytes >> 10);
	/* --sample: latency and errors of the timed bios, as when pairing */
	if (targ_sample_mask && !bio_timed(wb_ptr_key_t(bio, btf)))
		return 0;
	if (!in_flight) {
		v->errors += error != 0;
		wb_count(&counters, BIO_CNT_UNTIMED);
		return 0;
	}
	bio_timed_add(v, error, in_flight);
	return 0;
}
#define CALL(btf) ext4_done_ev(inode, bio, size, error, in_flight, WB_PATH_BH, btf)
WB_TWIN(ext4_end_bio, ext4_done, CALL, struct inode *inode, loff_t offset, unsigned int size,
	unsigned int flag, int error, bool defer, struct bio *bio, __u64 in_flight)
#undef CALL
#define CALL(btf) ext4_done_ev(inode, bio, bio_size, error, in_flight, WB_PATH_IOMAP, btf)
WB_TWIN(ext4_iomap_end_bio, ext4_iomap_done, CALL, struct inode *inode, loff_t offset,
	size_t size, unsigned int io_flags, int error, bool defer, struct bio *bio,
	unsigned int bio_size, __u64 in_flight)
#undef CALL

/*
 * wbscope kernel from patch 25, where the kernel samples: one of the bios it picked to
 * time (one in ext4.bio_time_sample, see bio.c) completed, with its time in flight and
 * size; or a failed bio it did not pick (in_flight 0), whose error alone counts. The
 * bios and bytes come from the writepages calls (below); the size histogram is the
 * timed bios', a sample like their latencies.
 */
static __always_inline int ext4_timed_ev(struct inode *inode, struct bio *bio, __u64 in_flight,
					 int error, bool iomap, __u32 bytes, const bool btf)
{
	struct bio_val *v = ext4_bio_group(inode, bio, iomap ? WB_PATH_IOMAP : WB_PATH_BH, btf);

	if (!v)
		return 0;
	if (!in_flight) {
		v->errors += error != 0;
		return 0;
	}
	wb_count(&counters, BIO_CNT_DONE);
	if (targ_size_hist)
		wb_hist_add(&v->size, bytes >> 10);
	bio_timed_add(v, error, in_flight);
	return 0;
}
#define CALL(btf) ext4_timed_ev(inode, bio, in_flight, error, iomap, bytes, btf)
WB_TWIN(ext4_bio_timed, ext4_timed, CALL, struct inode *inode, struct bio *bio, __u64 in_flight,
	int error, bool iomap, unsigned int bytes)
#undef CALL

/*
 * wbscope kernel from patch 26, where the kernel samples: a writepages call's bios and
 * their bytes, every one it submitted, counted by ext4 (one program per call, not per
 * bio).
 */
static __always_inline int wp_bios_ev(struct inode *inode, bool iomap, unsigned int bios,
				      __u64 bytes, const bool btf)
{
	struct bio_val *v;
	__u32 dev;

	if (!bios || !wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	v = wb_group(&stats, dev, iomap ? WB_PATH_IOMAP : WB_PATH_BH);
	if (!v) {
		wb_count(&counters, BIO_CNT_DROP_STATS);
		return 0;
	}
	v->bios += bios;
	v->bytes += bytes;
	return 0;
}
#define CALL(btf) wp_bios_ev(inode, iomap, bios, bio_bytes, btf)
WB_TWIN(ext4_writepages_done, wp_bios, CALL, struct inode *inode, struct writeback_control *wbc,
	bool iomap, long nr_to_write, long pages_written, int ret, long long duration_ns,
	unsigned int extents, unsigned int allocs, __u64 alloc_blocks, unsigned int bios,
	__u64 bio_bytes)
#undef CALL

SEC("fentry/bio_endio")
int BPF_PROG(bio_endio_fentry, struct bio *bio)
{
	bio_ended(bio, true);
	return 0;
}

SEC("kprobe/bio_endio")
int BPF_KPROBE(bio_endio_kprobe, struct bio *bio)
{
	bio_ended(bio, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
