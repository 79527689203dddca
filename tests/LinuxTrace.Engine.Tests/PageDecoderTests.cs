using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

public class PageDecoderTests
{
    private static List<(ulong Ts, int Len)> Decode(byte[] page, out PageDecoder info)
    {
        var list = new List<(ulong, int)>();
        var dec = new PageDecoder(page, Fixtures.Header);
        while (dec.Next(out ulong ts, out _, out int len)) list.Add((ts, len));
        info = dec;
        return list;
    }

    private static List<(ulong Ts, int Len)> Decode(byte[] page) => Decode(page, out _);

    [Fact]
    public void ShortDataEventsOfEverySizeAddTheirDeltas()
    {
        var b = new PageBuilder(1000);
        for (int words = 1; words <= 28; words++) b.Data((uint)words, new byte[words * 4]);
        var events = Decode(b.Build());
        Assert.Equal(28, events.Count);
        ulong ts = 1000;
        for (int i = 0; i < 28; i++)
        {
            ts += (ulong)(i + 1);
            Assert.Equal((ts, (i + 1) * 4), events[i]);
        }
    }

    [Fact]
    public void LongDataEventUsesItsLengthWord()
    {
        var payload = new byte[200];
        payload[199] = 7;
        var events = Decode(new PageBuilder(50).Data(5, payload).Data(1, new byte[8], forceLong: true).Build());
        Assert.Equal(new[] { (55UL, 200), (56UL, 8) }, events);
    }

    [Fact]
    public void TimeExtendAddsALargeDelta()
    {
        ulong big = (1UL << 27) * 3 + 12345;
        var events = Decode(new PageBuilder(100).TimeExtend(big).Data(2, new byte[8]).Build());
        Assert.Equal(100 + big + 2, events.Single().Ts);
    }

    [Fact]
    public void AbsoluteTimeStampReplacesTheRunningTimeAndKeepsTheTopBits()
    {
        // 59 bits are stored; the top 5 come from the page time stamp.
        ulong page = (3UL << 59) + 1000;
        ulong abs = (3UL << 59) + 5_000_000;
        var events = Decode(new PageBuilder(page).Data(1, new byte[4]).AbsoluteTime(abs).Data(10, new byte[4]).Build());
        Assert.Equal(page + 1, events[0].Ts);
        Assert.Equal(abs + 10, events[1].Ts);
    }

    [Fact]
    public void AbsoluteTimeStampThatWrapsThe59BitsMovesToTheNextEpoch()
    {
        ulong page = (2UL << 59) + ((1UL << 59) - 10);   // just below a 59-bit wrap
        ulong stored = 5;                                // after the wrap, only the low bits are stored
        var events = Decode(new PageBuilder(page).AbsoluteTime(stored).Data(0, new byte[4]).Build());
        Assert.Equal((3UL << 59) + 5, events.Single().Ts);
    }

    [Fact]
    public void DiscardedEventsAreSkippedAndEndPaddingStops()
    {
        var events = Decode(new PageBuilder(0).Data(1, new byte[4]).Discarded(16).Data(2, new byte[4]).EndPadding().Data(3, new byte[4]).Build());
        Assert.Equal(new[] { (1UL, 4), (3UL, 4) }, events);
    }

    [Fact]
    public void MissedEventsWithAStoredCount()
    {
        var events = Decode(new PageBuilder(0).Data(1, new byte[4]).Build(missed: true, storedCount: 1234), out var info);
        Assert.True(info.MissedEvents);
        Assert.Equal(1234, info.MissedCount);
        Assert.Single(events);
    }

    [Fact]
    public void MissedEventsWithoutACountAreUnknown()
    {
        Decode(new PageBuilder(0).Data(1, new byte[4]).Build(missed: true), out var info);
        Assert.True(info.MissedEvents);
        Assert.Equal(-1, info.MissedCount);
        Decode(new PageBuilder(0).Data(1, new byte[4]).Build(), out var clean);
        Assert.False(clean.MissedEvents);
    }

    [Fact]
    public void CorruptLengthsAreErrorsWithAnOffset()
    {
        var page = new PageBuilder(0).Data(1, new byte[8], forceLong: true).Build();
        BitConverter.GetBytes(9999u).CopyTo(page, 20); // long event's length word
        var e = Assert.Throws<TraceDataException>(() => Decode(page));
        Assert.Contains("corrupt ring-buffer page", e.Message);
        Assert.True(e.Offset < 0 || e.Offset >= 16);

        var bad = new PageBuilder(0).Build();
        BitConverter.GetBytes(5000UL).CopyTo(bad, 8); // commit larger than the page
        Assert.Throws<TraceDataException>(() => Decode(bad));
        Assert.Throws<TraceDataException>(() => new PageDecoder(new byte[8], Fixtures.Header));
    }

    [Fact]
    public void CursorEmitsALostMarkerBeforeThePageAndMergeIsStableByTime()
    {
        var h = Fixtures.Header;
        var p0 = new PageBuilder(10).Data(0, new byte[8]).Data(10, new byte[8]).Build();                // 10, 20
        var p1 = new PageBuilder(10).Data(0, new byte[8]).Data(5, new byte[8]).Build(missed: true, storedCount: 3); // lost@10, 10, 15
        var c0 = new CpuCursor(0, new ListPageSource([(p0, p0.Length)]), h);
        var c1 = new CpuCursor(1, new ListPageSource([(p1, p1.Length)]), h);
        var merger = new RecordMerger([c0, c1]);
        var seq = new List<(ulong, int, bool)>();
        while (merger.MoveNext()) seq.Add((merger.Current.Timestamp, merger.Current.Cpu, merger.Current.IsLost));
        Assert.Equal(new[] { (10UL, 0, false), (10UL, 1, true), (10UL, 1, false), (15UL, 1, false), (20UL, 0, false) }, seq);
    }

    [Fact]
    public void MergeWithManyCpusUsesTheHeapAndStaysOrdered()
    {
        var h = Fixtures.Header;
        var rnd = new Random(1);
        var cursors = Enumerable.Range(0, 12).Select(cpu =>
        {
            var b = new PageBuilder((ulong)rnd.Next(100));
            for (int i = 0; i < 50; i++) b.Data((uint)rnd.Next(0, 7), new byte[8]);
            var p = b.Build();
            return new CpuCursor(cpu, new ListPageSource([(p, p.Length)]), h);
        }).ToArray();
        var m = new RecordMerger(cursors);
        ulong last = 0;
        int n = 0;
        (ulong, int) prev = (0, -1);
        while (m.MoveNext())
        {
            Assert.True(m.Current.Timestamp >= last);
            if (m.Current.Timestamp == prev.Item1) Assert.True(m.Current.Cpu >= prev.Item2);
            prev = (m.Current.Timestamp, m.Current.Cpu);
            last = m.Current.Timestamp;
            n++;
        }
        Assert.Equal(600, n);
    }

    // pages that arrive while a live merge runs
    private sealed class GrowingPageSource : IPageSource
    {
        public readonly Queue<byte[]> Pages = new();
        public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
        {
            fileOffset = -1;
            if (Pages.TryDequeue(out var p)) { page = p; length = p.Length; return true; }
            page = []; length = 0;
            return false;
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    public void LiveMergeInRoundsHoldsRecordsPastTheLimitAndLosesNone(int cpus)
    {
        var h = Fixtures.Header;
        var rnd = new Random(7);
        var sources = Enumerable.Range(0, cpus).Select(_ => new GrowingPageSource()).ToArray();
        var next = new ulong[cpus];
        var all = new List<(ulong, int)>();
        var m = new RecordMerger(sources.Select((s, cpu) => new CpuCursor(cpu, s, h)));
        var got = new List<(ulong, int)>();
        for (int round = 0; round < 40; round++)
        {
            // each CPU delivers a page now and then; the limit is a time every CPU has been read to
            for (int cpu = 0; cpu < cpus; cpu++)
            {
                if (rnd.Next(3) == 0) continue;
                var b = new PageBuilder(next[cpu]);
                ulong ts = next[cpu];
                for (int i = 0; i < 5; i++) { uint d = (uint)rnd.Next(1, 20); ts += d; b.Data(d, new byte[8]); all.Add((ts, cpu)); }
                next[cpu] = ts;
                sources[cpu].Pages.Enqueue(b.Build());
            }
            m.Limit = round == 39 ? ulong.MaxValue : next.Min();
            m.Resume();
            while (m.MoveNext())
            {
                Assert.True(m.Current.Timestamp <= m.Limit);
                got.Add((m.Current.Timestamp, m.Current.Cpu));
            }
        }
        for (int i = 1; i < got.Count; i++) Assert.True(got[i].Item1 >= got[i - 1].Item1, $"record {i} is earlier than the one before");
        Assert.Equal(all.OrderBy(r => r.Item1).ThenBy(r => r.Item2), got);
    }

    [Fact]
    public void QueueKnowsTheLatestTimeStampDelivered()
    {
        var p = new PageBuilder(100).Data(5, new byte[8]).TimeExtend(1UL << 27).Data(3, new byte[8]).Build();
        var q = new PageQueue(2, 1 << 20, Fixtures.Header);
        Assert.Equal(0UL, q.Delivered);
        q.Accept(1, p, p.Length);
        Assert.Equal(100UL + 5 + (1UL << 27) + 3, q.Delivered);
        var older = new PageBuilder(10).Data(1, new byte[8]).Build();
        q.Accept(0, older, older.Length);
        Assert.Equal(100UL + 5 + (1UL << 27) + 3, q.Delivered);
        q.Dispose();
    }
}
