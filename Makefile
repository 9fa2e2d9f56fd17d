# wbscope: observability and benchmarks for ext4 buffered writeback (buffer_head vs iomap).
#
#   make run          main job: setup, kernel, tools, boot the guest, quick benchmark matrix
#   make bench        the benchmark suite [ARGS='--matrix full --reps 8 --host ...']
#   make test         all tests (unit, host integration, guest smoke); CI runs this
#   make setup        install dependencies (Debian 12; root)
#   make kernel       build the kernel [FLAVOUR=lockdep]
#   make tools        build the BPF tools (bpf/.output/wbscope)
#   make vm CMD='...' run a command in the guest [FLAVOUR=...] [DISKS="4G ..."]
#   make kernel-test  kernel series tests in the guest, with and without buffered_iomap
#   make test-lockdep lockdep-flavour guest test: a real lock-order violation caught by
#                     wbscope lockorder, and the tool cross-checked with lockdep
#   make bench-overhead  cost of each tracing tool (and of bpftrace, trace-cmd) on fio
#                     buffered writes, in the guest on our kernel [MODE=iomap|bh] [ICOUNT=3|off]
#                     [DEV=disk|ram|null: the virtio disk; a RAM disk (brd), whose time is
#                     all counted instructions under ICOUNT and which completes each bio
#                     in the submitter's context; or a memory-backed null_blk, a blk-mq
#                     device that completes each request from a timer interrupt as soon
#                     as the timer can fire, as a device's interrupt would]
#                     [CPUS=2: guest CPUs; CPUS=1 DEV=ram
#                     ICOUNT=3 makes every added instruction cost throughput: the
#                     low-noise set-up for small costs]
#                     [ARGS='--rounds 5 ...'], or on this machine with WHERE=host
#   make bench-bpfcost   what each building block of the tools' BPF programs costs a run
#                     (bench/bpfcost), in the guest on one CPU with counted instructions
#
# Cache (kernel tree, builds, ccache, downloads): $$XDG_CACHE_HOME/wbscope or ~/.cache/wbscope,
# overridable with WBSCOPE_CACHE.

FLAVOUR ?= default
export FLAVOUR

.PHONY: all run bench setup kernel tools vm test test-lockdep test-unit test-integration test-guest kernel-test \
	bench-overhead bench-bpfcost clean
all: tools

setup:
	scripts/setup

kernel: setup
	scripts/kernel build $(FLAVOUR)

tools: setup
	$(MAKE) -C bpf

run:
	scripts/demo $(ARGS)

bench:
	scripts/bench $(ARGS)

vm: kernel tools
	@test -n "$(CMD)" || { echo "usage: make vm CMD='command' [DISKS='4G']" >&2; exit 2; }
	scripts/vm --flavour $(FLAVOUR) $(foreach d,$(DISKS),--disk $(d)) -- sh -c '$(CMD)'

test: setup
	tests/run all

test-unit: setup
	tests/run unit

test-integration: setup
	tests/run integration

test-guest: setup
	tests/run guest

test-lockdep: setup
	tests/run lockdep

kernel-test: setup
	tests/kernel/run.sh

WHERE ?= guest
MODE ?= iomap
ICOUNT ?= 3
DEV ?= disk
CPUS ?= 2
# The guest's device for bench-overhead, and what the guest needs for it.
OH_DEV_ARGS_ram = --memory 8G --append "brd.rd_nr=1 brd.rd_size=2097152"
OH_DEV_ARGS_null = --memory 8G --append "null_blk.nr_devices=1 null_blk.queue_mode=2 null_blk.irqmode=2 null_blk.completion_nsec=0 null_blk.memory_backed=1 null_blk.gb=2"
OH_DEV_PATH_disk = /dev/vda
OH_DEV_PATH_ram = /dev/ram0
OH_DEV_PATH_null = /dev/nullb0
bench-overhead: tools
	@test -n "$(OH_DEV_PATH_$(DEV))" || { echo "bench-overhead: DEV=$(DEV): not one of disk, ram, null" >&2; exit 2; }
	$(MAKE) -C bpf bpfcost
ifeq ($(WHERE),host)
	bench/overhead $(ARGS)
else
	$(MAKE) kernel
	mkdir -p bench/results
	scripts/vm --flavour $(FLAVOUR) --cpus $(CPUS) --disk 4G --rwdir $(CURDIR)/bench/results --timeout 14400 \
		$(if $(filter off,$(ICOUNT)),,--icount $(ICOUNT)) $(OH_DEV_ARGS_$(DEV)) -- \
		bench/overhead --dev $(OH_DEV_PATH_$(DEV)) --mount-opts $(if $(filter bh,$(MODE)),nobuffered_iomap,buffered_iomap) $(ARGS)
endif

bench-bpfcost: tools
	$(MAKE) -C bpf bpfcost
	$(MAKE) kernel
	scripts/vm --flavour $(FLAVOUR) --cpus 1 $(if $(filter off,$(ICOUNT)),,--icount $(ICOUNT)) \
		--memory 4G --append "brd.rd_nr=1 brd.rd_size=1048576" -- bench/bpfcost/run $(ARGS)

clean:
	$(MAKE) -C bpf clean
