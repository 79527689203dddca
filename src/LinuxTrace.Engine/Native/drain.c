/*
 * LinuxTrace's per-CPU drainer threads, in C: the one part of the engine that must never pause.
 *
 * A .NET thread stops whenever the runtime collects garbage, and a pipeline that makes millions of objects makes
 * it collect often; a drainer that stops for 10-100 ms while the kernel writes 40 MB/s into a 256 KB buffer is a
 * buffer overrun. These threads are plain pthreads: the runtime neither knows nor suspends them. Each reads whole
 * sub-buffers from per_cpu/cpuN/trace_pipe_raw (non-blocking; poll() for the kernel's buffer_percent wake-up) and
 * either appends them to a file (recording: the per-CPU temporary file of a trace.dat) or queues them in a
 * single-producer single-consumer list for the engine (streaming). The queue has a memory budget shared by all
 * CPUs: past it a page is dropped and replaced by a small marker that says how many events it held and when, so
 * that the stream reports what LinuxTrace dropped apart from what the kernel lost.
 *
 * Order across CPUs: the drainers of a session share the latest time stamp of any page they queued ("delivered").
 * Each drainer notes it when a cycle begins and publishes that note ("safe") when the cycle has caught up with the
 * kernel's writer: the pages behind the note were read, so written, before the cycle began, and the cycle then read
 * everything its CPU had written until then. So every record of every CPU stamped before the lowest safe of all
 * drainers is queued. The engine merges up to that time and holds the rest for the next round: a live stream comes
 * out in time order although the CPUs are read at different moments (a task that moves to another CPU keeps its
 * order; function-graph pairing needs it). The engine's managed drainer
 * (CpuDrainer) follows the same rules; it is used when this library is not built.
 *
 * Built by LinuxTrace.Engine.csproj (gcc -O2 -shared -fPIC), loaded by NativeDrain.cs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LT_ABI 2

/* what the drainers of one session share: the queue's bytes, its peak, and what was dropped */
struct lt_budget {
	int64_t queued;
	int64_t peak;
	int64_t dropped_events;
	int64_t dropped_pages;
	int64_t max;
	uint64_t delivered;       /* the latest time stamp of any page queued */
};

struct lt_node {
	struct lt_node *next;
	int32_t len;              /* bytes read; -1 for a dropped page's marker */
	int32_t events;           /* a marker: events the dropped page held */
	uint64_t ts;              /* a marker: the dropped page's time stamp */
	unsigned char data[];
};

struct lt_drainer {
	int fd;                   /* trace_pipe_raw, non-blocking; owned by the caller */
	int out_fd;               /* recording: append here; -1 when queueing */
	int page_size, data_offset, commit_offset, commit_size, half;
	int poll_ms, fifo;
	struct lt_budget *budget; /* queueing: shared by the session's drainers */
	volatile int stop;
	int started;
	uint64_t safe;            /* "delivered" when the last cycle that caught up with the writer began */
	pthread_t thread;
	/* the queue: the producer owns tail, the consumer owns head (a dummy node) */
	struct lt_node *head, *tail;
	/* statistics, written by the thread, read with atomics */
	int64_t pages, bytes, cpu_ns;
	int error;                /* errno of a read or write that failed; the thread ends */
	unsigned char *buf;       /* recording: the one page buffer */
};

static unsigned char zeros[65536];

static uint64_t rd_u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t rd_u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static int data_length(const struct lt_drainer *d, const unsigned char *page, int n)
{
	uint64_t commit;
	if (n < d->commit_offset + d->commit_size)
		return 0;
	commit = d->commit_size == 8 ? rd_u64(page + d->commit_offset) : rd_u32(page + d->commit_offset);
	return (int)(commit & ((1ULL << 27) - 1));
}

/* events in a page, walked as PageDecoder walks it (padding, time extends and absolute stamps are not events) */
static int count_events(const struct lt_drainer *d, const unsigned char *page, int n)
{
	int pos = d->data_offset, end = d->data_offset + data_length(d, page, n), count = 0;
	if (end > n)
		end = n;
	while (pos + 4 <= end) {
		uint32_t w = rd_u32(page + pos);
		int type_len = w & 0x1f;
		if (type_len >= 1 && type_len <= 28) {
			count++;
			pos += 4 + type_len * 4;
			continue;
		}
		if (type_len == 29 && (w >> 5) == 0)
			break; /* the rest of the page is empty */
		if (pos + 8 > end)
			break;
		uint32_t w2 = rd_u32(page + pos + 4);
		if (type_len == 29)
			pos += 4 + (int)w2;
		else if (type_len == 30 || type_len == 31)
			pos += 8;
		else { /* 0: long data */
			if (w2 < 4)
				break;
			count++;
			pos += 4 + (int)((w2 + 3) & ~3u);
		}
	}
	return count;
}

/* The time stamp of a page's last event, walked as PageDecoder walks it (time extends, absolute stamps). */
static uint64_t page_end_ts(const struct lt_drainer *d, const unsigned char *page, int n)
{
	const uint64_t msb = ~((1ULL << 59) - 1);
	if (n < 8)
		return 0;
	uint64_t ts = rd_u64(page);
	int pos = d->data_offset, end = d->data_offset + data_length(d, page, n);
	if (end > n)
		end = n;
	while (pos + 4 <= end) {
		uint32_t w = rd_u32(page + pos);
		int type_len = w & 0x1f;
		uint32_t delta = w >> 5;
		if (type_len >= 1 && type_len <= 28) {
			ts += delta;
			pos += 4 + type_len * 4;
			continue;
		}
		if (type_len == 29 && delta == 0)
			break;
		if (pos + 8 > end)
			break;
		uint32_t w2 = rd_u32(page + pos + 4);
		if (type_len == 29) {
			pos += 4 + (int)w2;
		} else if (type_len == 30) {
			ts += ((uint64_t)w2 << 27) + delta;
			pos += 8;
		} else if (type_len == 31) {
			uint64_t abs = ((uint64_t)w2 << 27) | delta;
			if (ts & msb) {
				abs |= ts & msb;
				if (abs < ts)
					abs += 1ULL << 59;
			}
			ts = abs;
			pos += 8;
		} else {
			if (w2 < 4)
				break;
			ts += delta;
			pos += 4 + (int)((w2 + 3) & ~3u);
		}
	}
	return ts;
}

/* Raises the session's "delivered" to ts (see the top of this file). */
static void note_delivered(struct lt_budget *b, uint64_t ts)
{
	uint64_t cur = __atomic_load_n(&b->delivered, __ATOMIC_SEQ_CST);
	while (ts > cur && !__atomic_compare_exchange_n(&b->delivered, &cur, ts, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

static void enqueue(struct lt_drainer *d, struct lt_node *node)
{
	node->next = NULL;
	__atomic_store_n(&d->tail->next, node, __ATOMIC_RELEASE);
	d->tail = node;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A page read: to the file (padded to a whole page, as trace.dat stores pages) or to the queue. 0 or an errno. */
static int deliver(struct lt_drainer *d, unsigned char *page, int n, struct lt_node *node)
{
	if (d->out_fd >= 0) {
		int e = write_all(d->out_fd, page, (size_t)n);
		for (int pad = d->page_size - n; !e && pad > 0; pad -= (int)sizeof zeros)
			e = write_all(d->out_fd, zeros, (size_t)(pad < (int)sizeof zeros ? pad : (int)sizeof zeros));
		return e;
	}
	struct lt_budget *b = d->budget;
	uint64_t end_ts = page_end_ts(d, page, n);
	if (__atomic_load_n(&b->queued, __ATOMIC_RELAXED) + d->page_size > b->max) {
		int events = count_events(d, page, n);
		uint64_t ts = n >= 8 ? rd_u64(page) : 0;
		free(node);
		__atomic_add_fetch(&b->dropped_events, events, __ATOMIC_RELAXED);
		__atomic_add_fetch(&b->dropped_pages, 1, __ATOMIC_RELAXED);
		if (events > 0) {
			struct lt_node *m = malloc(sizeof *m);
			if (!m)
				return ENOMEM;
			m->len = -1;
			m->events = events;
			m->ts = ts;
			enqueue(d, m);
		}
		note_delivered(b, end_ts);
		return 0;
	}
	int64_t now = __atomic_add_fetch(&b->queued, d->page_size, __ATOMIC_RELAXED);
	int64_t peak = __atomic_load_n(&b->peak, __ATOMIC_RELAXED);
	while (now > peak && !__atomic_compare_exchange_n(&b->peak, &peak, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	node->len = n;
	node->events = 0;
	node->ts = 0;
	enqueue(d, node);
	note_delivered(b, end_ts);
	return 0;
}

/* One cycle: whole sub-buffers until the buffer is empty or, past the first read, until a page comes back less
 * than half full (caught up with the writer; *caught_up says so). 0 to go on, or an errno. */
static int drain_once(struct lt_drainer *d, int *caught_up)
{
	*caught_up = 0;
	for (int i = 0; i < 4096; i++) {
		struct lt_node *node = NULL;
		unsigned char *page;
		if (d->out_fd >= 0) {
			page = d->buf;
		} else {
			node = malloc(sizeof *node + (size_t)d->page_size);
			if (!node)
				return 0; /* no memory this moment: the kernel keeps the page; try next cycle */
			page = node->data;
		}
		ssize_t n = read(d->fd, page, (size_t)d->page_size);
		if (n > 0) {
			__atomic_add_fetch(&d->pages, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&d->bytes, n, __ATOMIC_RELAXED);
			int e = deliver(d, page, (int)n, node);
			if (e)
				return e;
			if (i > 0 && n >= d->data_offset && data_length(d, page, (int)n) < d->half) {
				*caught_up = 1;
				return 0;
			}
			continue;
		}
		int e = n < 0 ? errno : 0;
		free(node);
		if (n == 0 || e == EAGAIN || e == ENODEV) { /* empty (ENODEV: the CPU is offline and writes nothing) */
			*caught_up = 1;
			return 0;
		}
		if (e == EBUSY || e == ENOMEM)
			return 0; /* a moment's shortage: not caught up, try next cycle */
		if (e == EINTR)
			continue;
		return e;
	}
	return 0;
}

static void *run(void *arg)
{
	struct lt_drainer *d = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int fifo_ok = 0;
	if (d->fifo) {
		struct sched_param sp = { .sched_priority = 10 };
		fifo_ok = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	}
	if (!fifo_ok)
		setpriority(PRIO_PROCESS, (id_t)tid, -20); /* nice -20: root only; harmless otherwise */
	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		uint64_t start = d->budget ? __atomic_load_n(&d->budget->delivered, __ATOMIC_SEQ_CST) : 0;
		int caught_up;
		int e = drain_once(d, &caught_up);
		if (e) {
			__atomic_store_n(&d->error, e, __ATOMIC_RELEASE);
			break;
		}
		if (caught_up)
			__atomic_store_n(&d->safe, start, __ATOMIC_RELEASE);
		if (d->poll_ms < 0) {
			/* a timer, not the kernel's wake-up: see CpuDrainer (function tracers in the top buffer) */
			struct timespec nap = { 0, (long)-d->poll_ms * 1000000L };
			nanosleep(&nap, NULL);
		} else {
			struct pollfd p = { .fd = d->fd, .events = POLLIN };
			poll(&p, 1, d->poll_ms);
		}
	}
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	__atomic_store_n(&d->cpu_ns, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, __ATOMIC_RELEASE);
	return NULL;
}

int lt_abi(void) { return LT_ABI; }

struct lt_budget *lt_budget_new(int64_t max)
{
	struct lt_budget *b = calloc(1, sizeof *b);
	if (b)
		b->max = max;
	return b;
}

void lt_budget_free(struct lt_budget *b) { free(b); }

/* The session's "delivered" (see the top of this file), and raising it for a page the engine's managed drainer queued. */
uint64_t lt_budget_delivered(struct lt_budget *b) { return __atomic_load_n(&b->delivered, __ATOMIC_SEQ_CST); }
void lt_budget_note_delivered(struct lt_budget *b, uint64_t ts) { note_delivered(b, ts); }

/* The drainer's "safe" (see the top of this file). */
uint64_t lt_drainer_safe(struct lt_drainer *d) { return __atomic_load_n(&d->safe, __ATOMIC_ACQUIRE); }

void lt_budget_read(struct lt_budget *b, int64_t *queued, int64_t *peak, int64_t *dropped_events, int64_t *dropped_pages)
{
	*queued = __atomic_load_n(&b->queued, __ATOMIC_RELAXED);
	*peak = __atomic_load_n(&b->peak, __ATOMIC_RELAXED);
	*dropped_events = __atomic_load_n(&b->dropped_events, __ATOMIC_RELAXED);
	*dropped_pages = __atomic_load_n(&b->dropped_pages, __ATOMIC_RELAXED);
}

/* Starts draining fd: to out_fd when it is >= 0, else into the queue under budget. NULL with errno on failure. */
struct lt_drainer *lt_drainer_start(int fd, int out_fd, struct lt_budget *budget, int page_size, int data_offset,
				    int commit_offset, int commit_size, int data_size, int poll_ms, int fifo)
{
	if (page_size <= 0 || page_size > (1 << 24) || (out_fd < 0 && !budget)) {
		errno = EINVAL;
		return NULL;
	}
	struct lt_drainer *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->fd = fd;
	d->out_fd = out_fd;
	d->budget = budget;
	d->page_size = page_size;
	d->data_offset = data_offset;
	d->commit_offset = commit_offset;
	d->commit_size = commit_size;
	d->half = (data_size > 0 ? data_size : page_size - data_offset) / 2;
	d->poll_ms = poll_ms;
	d->fifo = fifo;
	d->head = d->tail = calloc(1, sizeof(struct lt_node));
	d->buf = out_fd >= 0 ? malloc((size_t)page_size) : NULL;
	if (!d->head || (out_fd >= 0 && !d->buf)) {
		free(d->head);
		free(d->buf);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	int e = pthread_create(&d->thread, NULL, run, d);
	if (e) {
		free(d->head);
		free(d->buf);
		free(d);
		errno = e;
		return NULL;
	}
	d->started = 1;
	return d;
}

/* Stops the thread and waits for it; the queue stays readable. */
void lt_drainer_stop(struct lt_drainer *d)
{
	if (!d->started)
		return;
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	pthread_join(d->thread, NULL);
	d->started = 0;
}

void lt_drainer_stats(struct lt_drainer *d, int64_t *pages, int64_t *bytes, int64_t *cpu_ns, int *error)
{
	*pages = __atomic_load_n(&d->pages, __ATOMIC_RELAXED);
	*bytes = __atomic_load_n(&d->bytes, __ATOMIC_RELAXED);
	*cpu_ns = __atomic_load_n(&d->cpu_ns, __ATOMIC_ACQUIRE);
	*error = __atomic_load_n(&d->error, __ATOMIC_ACQUIRE);
}

/*
 * The consumer's side: the next queued page, copied into dest (up to cap bytes). Returns 1 and sets *len (or, for a
 * dropped page's marker, *len = -1, *events and *ts), or 0 when the queue is empty now.
 */
int lt_queue_pop(struct lt_drainer *d, unsigned char *dest, int cap, int *len, int *events, uint64_t *ts)
{
	struct lt_node *next = __atomic_load_n(&d->head->next, __ATOMIC_ACQUIRE);
	if (!next)
		return 0;
	*len = next->len;
	*events = next->events;
	*ts = next->ts;
	if (next->len > 0) {
		memcpy(dest, next->data, (size_t)(next->len < cap ? next->len : cap));
		__atomic_sub_fetch(&d->budget->queued, d->page_size, __ATOMIC_RELAXED);
	}
	free(d->head);
	d->head = next; /* the popped node becomes the dummy */
	return 1;
}

/* True when a page or marker is waiting. */
int lt_queue_ready(struct lt_drainer *d) { return __atomic_load_n(&d->head->next, __ATOMIC_ACQUIRE) != NULL; }

/* Frees what is left (after lt_drainer_stop). */
void lt_drainer_free(struct lt_drainer *d)
{
	if (!d)
		return;
	lt_drainer_stop(d);
	struct lt_node *n = d->head;
	while (n) {
		struct lt_node *next = n->next;
		if (n != d->head && n->len > 0 && d->budget)
			__atomic_sub_fetch(&d->budget->queued, d->page_size, __ATOMIC_RELAXED);
		free(n);
		n = next;
	}
	free(d->buf);
	free(d);
}
