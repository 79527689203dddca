/*
 * read_fields: the C baseline for LinuxTrace's engine. Reads every field of every event of a trace.dat file
 * with libtracecmd + libtraceevent (records merged across CPUs by time stamp, as trace-cmd report does) and
 * folds the values into a checksum, so that nothing can be skipped. No printing.
 *
 * usage: read_fields FILE [REPEAT]
 * Prints one JSON line: events, the first pass's seconds (cold: a fresh process), the best pass's events/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <trace-cmd.h>
#include <event-parse.h>

struct state {
	struct tep_handle *tep;
	unsigned long long events;
	unsigned long long checksum;
};

static unsigned long long read_field(struct tep_handle *tep, struct tep_format_field *f, void *data, int size)
{
	unsigned long long sum = 0;
	unsigned char *p;
	int offset = f->offset, len = f->size, i;

	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		/* __data_loc / __rel_loc: u32 with the length above the offset */
		unsigned int loc = (unsigned int)tep_read_number(tep, (char *)data + f->offset, f->size);
		offset = loc & 0xffff;
		len = loc >> 16;
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			offset += f->offset + f->size;
	}
	if (offset < 0 || offset + len > size)
		return 1000000007ULL;
	p = (unsigned char *)data + offset;
	if (f->flags & TEP_FIELD_IS_STRING)
		return strnlen((char *)p, len);
	if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) {
		if (f->elementsize == 8)
			for (i = 0; i + 8 <= len; i += 8)
				sum ^= tep_read_number(tep, p + i, 8);
		else
			for (i = 0; i < len; i++)
				sum ^= p[i];
		return sum;
	}
	return tep_read_number(tep, p, len);
}

static int on_record(struct tracecmd_input *handle, struct tep_record *record, int cpu, void *arg)
{
	struct state *s = arg;
	struct tep_event *event = tep_find_event_by_record(s->tep, record);
	struct tep_format_field *f;

	s->events++;
	if (!event) {
		s->checksum += 1000000007ULL;
		return 0;
	}
	for (f = event->format.common_fields; f; f = f->next)
		s->checksum ^= read_field(s->tep, f, record->data, record->size);
	for (f = event->format.fields; f; f = f->next)
		s->checksum ^= read_field(s->tep, f, record->data, record->size);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int repeat = argc > 2 ? atoi(argv[2]) : 3, rep;
	double first = 0, best = 0;
	struct state s = { 0 };

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [REPEAT]\n", argv[0]);
		return 2;
	}
	tracecmd_set_loglevel(TEP_LOG_NONE);
	for (rep = 0; rep < repeat; rep++) {
		double t0 = now(), secs;
		struct tracecmd_input *h = tracecmd_open(argv[1], 0);

		if (!h) {
			fprintf(stderr, "%s: cannot open %s\n", argv[0], argv[1]);
			return 1;
		}
		s.tep = tracecmd_get_tep(h);
		s.events = 0;
		s.checksum = 0;
		tracecmd_iterate_events(h, NULL, 0, on_record, &s);
		tracecmd_close(h);
		secs = now() - t0;
		if (rep == 0)
			first = secs;
		if (s.events / secs > best)
			best = s.events / secs;
	}
	printf("{\"mode\":\"c-fields\",\"events\":%llu,\"coldSeconds\":%.6f,\"eventsPerSecond\":%.1f,\"checksum\":%llu}\n",
	       s.events, first, best, s.checksum);
	return 0;
}
