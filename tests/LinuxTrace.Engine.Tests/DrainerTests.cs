using System.Diagnostics;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.TraceDat;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>
/// The drainers on a FIFO fed with crafted pages (a FIFO reads like trace_pipe_raw: non-blocking, a whole page per
/// read when whole pages are written): pages arrive intact and in order, a full queue drops pages into markers that
/// count their events as the page decoder does, and recording appends whole pages. The built module drains on native
/// threads (Native/drain.c); these tests check that this is what runs.
/// </summary>
public sealed class DrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lt-drain-").FullName;
    private static readonly Formats.EventFormat Switch = Fixtures.Event("sched", "sched_sched_switch");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Fifo()
    {
        string path = Path.Combine(_dir, $"fifo-{Guid.NewGuid():N}");
        var p = Process.Start("mkfifo", path);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return path;
    }

    /// <summary>Full pages of sched_switch events (varying counts, one with a time extend and a discarded event).</summary>
    private static List<byte[]> Pages(int n, out List<int> counts)
    {
        var pages = new List<byte[]>();
        counts = new List<int>();
        for (int i = 0; i < n; i++)
        {
            var b = new PageBuilder(1000UL + (ulong)i * 1000);
            int events = 1 + i % 40;
            for (int k = 0; k < events; k++)
            {
                if (k == 3) b.TimeExtend(1UL << 30);
                if (k == 5) b.Discarded(64);
                b.Data(1, Fixtures.Record(Switch, 100 + k));
            }
            pages.Add(b.Build());
            counts.Add(events);
        }
        return pages;
    }

    private static void Feed(string fifo, IEnumerable<byte[]> pages)
    {
        using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
        foreach (var p in pages) { w.Write(p); w.Flush(); }
    }

    private static void WaitFor(Func<bool> done, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"timed out waiting for {what}");
            Thread.Sleep(5);
        }
    }

    private static List<(byte[] Page, int Length, long At)> Take(IPageSource source)
    {
        var got = new List<(byte[], int, long)>();
        while (source.TryReadPage(out var p, out int len, out long at)) got.Add((p, len, at));
        return got;
    }

    [Fact]
    public void QueuedPagesArriveIntactAndInOrder()
    {
        string fifo = Fifo();
        var pages = Pages(60, out _);
        using var queue = new PageQueue(1, 64L << 20, Fixtures.Header);
        using var d = new CpuDrainer(0, fifo, 4096, Fixtures.Header, queue);
        d.Start();
        Assert.True(d.IsNative, "the module's drainers are native (liblinuxtrace-drain.so beside the engine)");
        Feed(fifo, pages);
        WaitFor(() => d.Pages == pages.Count, "60 pages");
        d.Stop();
        var got = Take(queue.SourceFor(0));
        Assert.Equal(pages.Count, got.Count);
        for (int i = 0; i < pages.Count; i++)
        {
            Assert.Equal(4096, got[i].Length);
            Assert.True(pages[i].AsSpan().SequenceEqual(got[i].Page.AsSpan(0, got[i].Length)), $"page {i} differs");
        }
        Assert.Equal(0, queue.QueuedBytes);
        Assert.Equal(60 * 4096, queue.PeakBytes);
        Assert.Null(d.Error);
    }

    [Fact]
    public void AFullQueueDropsPagesIntoMarkersThatCountTheirEvents()
    {
        string fifo = Fifo();
        var pages = Pages(50, out var counts);
        using var queue = new PageQueue(1, 10 * 4096, Fixtures.Header);
        using var d = new CpuDrainer(0, fifo, 4096, Fixtures.Header, queue);
        d.Start();
        Feed(fifo, pages);
        WaitFor(() => d.Pages == pages.Count, "50 pages");
        d.Stop();
        var got = Take(queue.SourceFor(0));
        Assert.Equal(50, got.Count);
        // the first ten fit; every later one is a marker: no bytes, its events, the page's time
        for (int i = 0; i < 10; i++) Assert.NotSame(PageQueue.DroppedPage, got[i].Page);
        for (int i = 10; i < 50; i++)
        {
            Assert.Same(PageQueue.DroppedPage, got[i].Page);
            Assert.Equal(counts[i], got[i].Length);
            Assert.Equal(1000L + i * 1000, got[i].At);
        }
        Assert.Equal(counts.Skip(10).Sum(), queue.DroppedEvents);
        Assert.Equal(40, queue.DroppedPages);
        // and the cursor turns the markers into lost-events records where they happened
        var cursor = new CpuCursor(0, new ListPageSource(got.Select(g => (g.Page, g.Length)).ToList()), Fixtures.Header);
        long events = 0, dropped = 0;
        while (cursor.MoveNext())
        {
            if (cursor.Current.IsLost) { Assert.True(cursor.Current.DroppedByReader); dropped += cursor.Current.Lost; }
            else events++;
        }
        Assert.Equal(counts.Take(10).Sum(), events);
        Assert.Equal(counts.Skip(10).Sum(), dropped);
    }

    [Fact]
    public void RecordingAppendsWholePagesToTheCpuFile()
    {
        string fifo = Fifo();
        var pages = Pages(30, out _);
        string outFile = Path.Combine(_dir, "rec.dat");
        using var sink = new RecordingSink(outFile, [0], 4096);
        using var d = new CpuDrainer(0, fifo, 4096, Fixtures.Header, sink);
        d.Start();
        Assert.True(d.IsNative);
        Feed(fifo, pages);
        WaitFor(() => d.Pages == pages.Count, "30 pages");
        // nothing beside the output file, even while recording
        Assert.Empty(Directory.GetFiles(_dir, "rec.dat*"));
        d.Stop();
        Assert.Equal(30, sink.Pages);
        // after the native thread, the rest comes through Accept (as DrainRemaining does), then the file is written
        var last = Pages(31, out var counts)[30];
        sink.Accept(0, last, 4096);
        var meta = new TraceDatMetadata
        {
            HeaderPage = File.ReadAllText(Path.Combine(Fixtures.Dir, "formats", "header_page")),
            HeaderEvent = File.ReadAllText(Path.Combine(Fixtures.Dir, "formats", "header_event")),
            Formats = [("sched", Fixtures.Format("sched_sched_switch"))],
            CpuCount = 1,
        };
        sink.Complete(meta, 7, "none");
        using var r = new TraceFileReader([outFile]);
        Assert.Equal(counts.Sum(), r.Read(null, null).OfType<TraceEvent>().Count());
    }
}
