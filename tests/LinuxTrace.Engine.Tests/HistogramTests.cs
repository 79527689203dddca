using LinuxTrace.Engine.Aggregation;
using LinuxTrace.Engine.Symbols;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>Histograms in the engine (buckets, labels, percentiles) and hist files as the kernel writes them.</summary>
public class HistogramTests
{
    [Fact]
    public void PowerOfTwoBucketsAsBpftraceHasThem()
    {
        var h = new TraceHistogram();
        foreach (long v in new long[] { 0, 1, 2, 3, 4, 7, 8, 1023, 1024, -5 }) h.Add(v);
        var b = h.Buckets;
        Assert.Equal(10, h.Total);
        Assert.Equal(h.Total, b.Sum(x => x.Count));
        Assert.Equal((long.MinValue, 0L, 1L), (b[0].Low, b[0].High, b[0].Count));   // negatives
        Assert.Equal((0L, 1L, 1L), (b[1].Low, b[1].High, b[1].Count));              // [0]
        Assert.Equal((2L, 4L, 2L), (b[3].Low, b[3].High, b[3].Count));              // 2, 3
        Assert.Contains(b, x => x.Low == 1024 && x.High == 2048 && x.Count == 1);
        string text = h.Render(52);
        Assert.Contains("[0]", text);
        Assert.Contains("[1K, 2K)", text);
        Assert.Contains("(..., 0)", text);
        Assert.All(text.Split('\n'), line => Assert.EndsWith("|", line));
        // as a string (an Export-Csv cell): one line, every bucket with its count
        string line = h.ToString();
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("(..., 0): 1, [0]: 1, [1]: 1, [2, 4): 2, [4, 8): 2, [8, 16): 1", line);
        Assert.EndsWith("[1K, 2K): 1", line);
    }

    [Fact]
    public void NanosecondLabelsAndPercentiles()
    {
        var h = new TraceHistogram(0, "ns");
        for (int i = 0; i < 90; i++) h.Add(1500);       // [1024, 2048)
        for (int i = 0; i < 10; i++) h.Add(3_000_000);  // [2^21, 2^22)
        Assert.Equal(2048, h.Percentile(0.5));
        Assert.Equal(1L << 22, h.Percentile(0.99));
        Assert.Contains("[1us, 2us)", h.ToString());
        Assert.Contains("ms", h.ToString());
        Assert.Equal("1.5us", TraceHistogram.FormatNanoseconds(1500));
        Assert.Equal("812ns", TraceHistogram.FormatNanoseconds(812));
    }

    [Fact]
    public void LinearBuckets()
    {
        var h = new TraceHistogram(100);
        foreach (long v in new long[] { 0, 99, 100, 250, -1 }) h.Add(v);
        Assert.Equal([(-100L, 0L, 1L), (0L, 100L, 2L), (100L, 200L, 1L), (200L, 300L, 1L)], h.Buckets.Select(b => (b.Low, b.High, b.Count)));
    }

    private const string KmallocHist = """
        # event histogram
        #
        # trigger info: hist:keys=call_site.sym:vals=hitcount,bytes_req:sort=hitcount.descending:size=256 [active]
        #

        { call_site: [ffffffffc02a0189] p9pdu_readf [9pnet]                           } hitcount:      14721  bytes_req:     210718
        { call_site: [ffffffffc02198a2] p9_get_mapped_pages.part.0.constprop.0 [9pnet_virtio] } hitcount:        171  bytes_req:     171000
        { call_site: [ffffffff812acc7f] kvmalloc_node                                 } hitcount:         58  bytes_req:   29191736

        Totals:
            Hits: 14950
            Entries: 3
            Dropped: 0
        """;

    private const string SyscallHist = """
        # event histogram
        #
        # trigger info: hist:keys=id.syscall,common_pid.execname:vals=hitcount:sort=hitcount:size=2048 [active]
        #

        { id: sys_openat                    [257], common_pid: Pipeline Execut [       165] } hitcount:          4
        { id: sys_read                      [  0], common_pid: bash            [      1234] } hitcount:          1

        Totals:
            Hits: 5
        """;

    [Fact]
    public void HistFilesBecomeGroups()
    {
        var k = Assert.Single(HistTriggers.Parse(KmallocHist));
        Assert.Equal(3, k.Count);
        Assert.Equal(14721, k[0].Count);
        Assert.Equal(210718, k[0].Sum);
        Assert.Equal("bytes_req", k[0].Property);
        Assert.Equal("p9pdu_readf [9pnet]", k[0].Keys["call_site"]);
        Assert.Equal("p9_get_mapped_pages.part.0.constprop.0 [9pnet_virtio]", k[1].Keys["call_site"]);
        Assert.Equal(29191736, k[2].Sum);

        var s = Assert.Single(HistTriggers.Parse(SyscallHist, SyscallTable.ForThisMachine()));
        Assert.Equal(257L, s[0].Keys["id"]);
        Assert.Equal("openat", s[0].Keys["syscall"]);
        Assert.Equal(165L, s[0].Keys["common_pid"]);
        Assert.Equal("Pipeline Execut", s[0].Keys["ProcessName"]);
        Assert.Equal(0L, s[1].Keys["id"]);
        Assert.Equal(4, s[0].Count);
        Assert.Null(s[0].Sum);
    }
}
