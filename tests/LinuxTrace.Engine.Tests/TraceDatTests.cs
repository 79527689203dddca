using System.Text;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.TraceDat;
using LinuxTrace.Engine.Tracefs;
using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>The trace.dat writer and reader on crafted pages: round trips, malformed files, fuzzing.</summary>
public class TraceDatTests
{
    private static readonly EventFormat Switch = Fixtures.Event("sched", "sched_sched_switch");

    private static TraceDatMetadata Meta(int cpus = 2) => new()
    {
        HeaderPage = File.ReadAllText(Path.Combine(Fixtures.Dir, "formats", "header_page")),
        HeaderEvent = File.ReadAllText(Path.Combine(Fixtures.Dir, "formats", "header_event")),
        Formats = [("sched", Fixtures.Format("sched_sched_switch")), ("raw_syscalls", Fixtures.Format("raw_syscalls_sys_enter"))],
        SavedCmdlines = "42 bash\n7 worker\n",
        Kallsyms = "ffffffff81000000 T _stext\n",
        CpuCount = cpus,
        Uname = "Linux test 6.18 x86_64",
        TraceClockText = "[local] global mono",
        CpuStats = ["CPU: 0\nentries: 0\noverrun: 3\n", "CPU: 1\nentries: 0\noverrun: 0\n"],
    };

    /// <summary>Pages for a CPU: <paramref name="n"/> sched_switch events, one page per 50.</summary>
    private static List<(byte[], int)> Pages(int cpu, int n, ulong start, bool missedFirst = false)
    {
        var pages = new List<(byte[], int)>();
        int done = 0;
        ulong ts = start;
        while (done < n)
        {
            var b = new PageBuilder(ts);
            for (int i = 0; i < 50 && done < n; i++, done++)
            {
                int pid = 42 + cpu * 1000 + done;
                b.Data(3, Fixtures.Record(Switch, pid, r =>
                {
                    Fixtures.Str(r, 8, "bash");
                    BitConverter.GetBytes(pid).CopyTo(r, 24);
                    BitConverter.GetBytes(done).CopyTo(r, 56);
                }));
                ts += 3;
            }
            var page = b.Build(missed: missedFirst && pages.Count == 0, storedCount: missedFirst && pages.Count == 0 ? 17 : -1);
            pages.Add((page, page.Length));
        }
        return pages;
    }

    private static string Write(int version, string compression, int perCpu = 120)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lt-xunit-{Guid.NewGuid():N}.dat");
        var cpus = new[]
        {
            new TraceDatCpuData(0, new ListPageSource(Pages(0, perCpu, 1000, missedFirst: true))),
            new TraceDatCpuData(1, new ListPageSource(Pages(1, perCpu, 1001))),
        };
        TraceDatWriter.Write(path, Meta(), cpus, version, compression);
        return path;
    }

    private static List<TraceRecord> ReadAll(string path)
    {
        using var r = new TraceFileReader([path]);
        return r.Read(null, null).ToList();
    }

    [Theory]
    [InlineData(6, "none")]
    [InlineData(7, "none")]
    [InlineData(7, "zstd")]
    [InlineData(7, "zlib")]
    public void WrittenFilesReadBackWithEveryEventAndTheMetadata(int version, string compression)
    {
        string path = Write(version, compression);
        try
        {
            using (var f = TraceDatFile.Open(path))
            {
                Assert.Equal(version, f.Version);
                Assert.Equal(compression, f.Compression);
                Assert.Equal("local", f.Clock);
                Assert.Equal(2, f.CpuCount);
                Assert.Equal("Linux test 6.18 x86_64", f.Uname);
                Assert.Equal(2, f.CpuStats.Count);
                Assert.Equal(2, f.Formats.Count);
                Assert.Contains("_stext", f.Kallsyms);
            }
            var records = ReadAll(path);
            var events = records.OfType<TraceEvent>().ToList();
            Assert.Equal(240, events.Count);
            var lost = Assert.Single(records.OfType<TraceLostEvents>());
            Assert.Equal((0, 17L), (lost.CpuNumber, lost.Count!.Value));
            Assert.True(events.Zip(events.Skip(1)).All(p => p.First.TimestampNs <= p.Second.TimestampNs));
            Assert.Equal(1003UL, events[0].TimestampNs);
            Assert.Equal(0, events[0].CpuNumber);
            Assert.Equal(1004UL, events[1].TimestampNs);
            Assert.Equal(1, events[1].CpuNumber);
            Assert.Equal("bash", events[0].ProcessName);
            Assert.Equal(42, events[0].GetFieldValue("prev_pid"));
            Assert.Equal(119, events.Where(e => e.CpuNumber == 1).Last().GetFieldValue("next_pid"));
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// Visit (no objects; pages handed out in place and their memory reused once left) sees exactly what the object
    /// reader sees, in the same order, across many blocks and compressed chunks.
    /// </summary>
    [Theory]
    [InlineData(6, "none")]
    [InlineData(7, "none")]
    [InlineData(7, "zstd")]
    [InlineData(7, "zlib")]
    public void VisitingWithoutObjectsSeesWhatTheObjectsSee(int version, string compression)
    {
        string path = Write(version, compression, perCpu: 30_050); // 601 pages per CPU: blocks, and 61 chunks, the last short
        try
        {
            var expected = ReadAll(path).OfType<TraceEvent>().Select(e => (e.TimestampNs, e.CpuNumber, Convert.ToInt64(e.GetFieldValue("next_pid")))).ToList();
            var seen = new List<(ulong, int, long)>();
            var nextPid = Switch.Fields.Single(f => f.Name == "next_pid");
            using (var r = new TraceFileReader([path]))
            {
                r.Visit(null, (in RecordRef rec, EventFormat? f) =>
                {
                    if (f is null) return;
                    seen.Add((rec.Timestamp, rec.Cpu, LinuxTrace.Engine.Events.FieldDecoder.ReadInteger(rec.Page.AsSpan(rec.Offset, rec.Length), nextPid)));
                });
            }
            Assert.Equal(60_100, expected.Count);
            Assert.Equal(expected, seen);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ConvertingBetweenVersionsKeepsEveryByteOfEveryEvent()
    {
        string v7 = Write(7, "zstd");
        string v6 = v7 + ".v6.dat";
        try
        {
            using (var f = TraceDatFile.Open(v7))
            {
                var b = f.GetBuffer(null);
                TraceDatWriter.Write(v6, TraceDatMetadata.FromFile(f), b.Cpus.Select(c => new TraceDatCpuData(c.Cpu, f.OpenPages(b, c))).ToArray(), 6);
            }
            var a = ReadAll(v7).OfType<TraceEvent>().Select(e => (e.TimestampNs, e.CpuNumber, Convert.ToHexString(e.GetRawData()))).ToList();
            var c = ReadAll(v6).OfType<TraceEvent>().Select(e => (e.TimestampNs, e.CpuNumber, Convert.ToHexString(e.GetRawData()))).ToList();
            Assert.Equal(a, c);
        }
        finally { File.Delete(v7); File.Delete(v6); }
    }

    [Theory]
    [InlineData(6, 1_796_407_290_577_850_123L, null)]
    [InlineData(7, 1_796_407_290_577_850_123L, null)]
    [InlineData(7, -5_000_123L, null)]
    [InlineData(6, 1_796_407_290_577_850_123L, 23_456L)]
    [InlineData(7, 1_796_407_290_577_850_123L, 23_456L)]
    public void TheDateOptionCarriesTheWallClockOffsetInMicroseconds(int version, long offsetNs, long? boundNs)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lt-xunit-{Guid.NewGuid():N}.dat");
        try
        {
            var meta = Meta();
            var dated = new TraceDatMetadata
            {
                HeaderPage = meta.HeaderPage, HeaderEvent = meta.HeaderEvent, Formats = meta.Formats, SavedCmdlines = meta.SavedCmdlines,
                Kallsyms = meta.Kallsyms, CpuCount = meta.CpuCount, Uname = meta.Uname, TraceClockText = meta.TraceClockText,
                Date = TraceDatMetadata.DateText(offsetNs, boundNs),
            };
            TraceDatWriter.Write(path, dated, [new TraceDatCpuData(0, new ListPageSource(Pages(0, 3, 1000)))], version, "none");
            using (var f = TraceDatFile.Open(path))
            {
                // trace-cmd record --date writes microseconds as C hex ("0x661d08f693f72"); trace-cmd multiplies by 1000
                Assert.Matches("^-?0x[0-9a-f]+$", f.Date);
                Assert.Equal(offsetNs / 1000 * 1000, f.WallClockOffsetNs);
                // LinuxTrace's bound rides after a NUL in the option, where trace-cmd's strtoll stops
                Assert.Equal(boundNs, f.WallClockBoundNs);
                Assert.Equal(boundNs, TraceFileInfo.Read(path).WallClockBoundNs);
                // and a copy of the file (another version, compressed) keeps both
                string copy = path + ".copy";
                try
                {
                    TraceDatWriter.Convert(path, null, copy, 7, "zstd");
                    using var g = TraceDatFile.Open(copy);
                    Assert.Equal(f.WallClockOffsetNs, g.WallClockOffsetNs);
                    Assert.Equal(boundNs, g.WallClockBoundNs);
                }
                finally { File.Delete(copy); }
            }
            var e = ReadAll(path).OfType<TraceEvent>().First();
            var expected = DateTime.UnixEpoch.AddTicks(((long)e.TimestampNs + offsetNs / 1000 * 1000) / 100).ToLocalTime();
            Assert.Equal(expected, e.TimeCreated);
        }
        finally { File.Delete(path); }
        string plain = Write(7, "none");
        try { Assert.All(ReadAll(plain).OfType<TraceEvent>(), e => Assert.Null(e.TimeCreated)); }
        finally { File.Delete(plain); }
    }

    [Fact]
    public void TruncatedFileNamesTheFileAndOffset()
    {
        string path = Write(7, "none");
        try
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var e = Assert.ThrowsAny<TraceException>(() => ReadAll(path));
            Assert.Equal(TraceErrorKind.InvalidData, e.Kind);
            Assert.Contains(path, e.Message);
            Assert.Contains("offset", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LatencyFilesAreRejectedClearly()
    {
        string path = Write(6, "none");
        try
        {
            var bytes = File.ReadAllBytes(path);
            int at = IndexOf(bytes, Encoding.ASCII.GetBytes("flyrecord\0"));
            Encoding.ASCII.GetBytes("latency  \0").CopyTo(bytes, at);
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<TraceDataException>(() => TraceDatFile.Open(path));
            Assert.Contains("latency", e.Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// A file that claims the largest page size it may (16 MiB) over a few KB of data: the reader fails cleanly, and
    /// what it allocated on the way stays near a page per CPU (it once read 64 pages at a time: 1 GiB per CPU).
    /// </summary>
    [Fact]
    public void HugePageSizeClaimsDoNotMakeTheReaderAllocate()
    {
        string path = Write(6, "none", perCpu: 60);
        try
        {
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(4096, BitConverter.ToInt32(bytes, 14)); // magic (10), "6\0", endian, long size, then the page size
            BitConverter.GetBytes(1 << 24).CopyTo(bytes, 14);
            File.WriteAllBytes(path, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Record.Exception(() => { foreach (var r in ReadAll(path)) if (r is TraceEvent ev) _ = ev.FormatFields(); });
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (e is not null) Assert.IsAssignableFrom<TraceException>(e);
            Assert.True(allocated < 128L << 20, $"reading allocated {allocated >> 20} MiB");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void NotATraceFile()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "hello, this is not a trace");
            var e = Assert.Throws<TraceDataException>(() => TraceDatFile.Open(path));
            Assert.Contains("bad magic", e.Message);
        }
        finally { File.Delete(path); }
    }

    private static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i <= hay.Length - needle.Length; i++)
            if (hay.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }

    /// <summary>
    /// Random byte flips and truncations of real files: every truncated file is rejected with an error that names it,
    /// every flipped one either reads cleanly or is rejected the same way; nothing crashes (any other exception fails
    /// the test) and no read hangs (a watchdog fails the iteration that runs past its deadline, whatever it is doing).
    /// </summary>
    [Theory]
    [InlineData(6, "none")]
    [InlineData(7, "none")]
    [InlineData(7, "zstd")]
    public void FuzzedFilesFailCleanly(int version, string compression)
    {
        string good = Write(version, compression, perCpu: 60);
        var original = File.ReadAllBytes(good);
        var rnd = new Random(version * 31 + compression.Length);
        string path = good + ".fuzz";
        int rejected = 0;
        try
        {
            for (int iter = 0; iter < 300; iter++)
            {
                var bytes = (byte[])original.Clone();
                bool truncated = iter % 4 == 0;
                if (truncated)
                {
                    bytes = bytes[..rnd.Next(0, bytes.Length)];
                }
                else
                {
                    int flips = rnd.Next(1, 8);
                    for (int k = 0; k < flips; k++)
                    {
                        // bias towards the metadata at the front, where structure lives
                        int at = rnd.Next(2) == 0 ? rnd.Next(Math.Min(bytes.Length, 2048)) : rnd.Next(bytes.Length);
                        bytes[at] = (byte)rnd.Next(256);
                    }
                }
                File.WriteAllBytes(path, bytes);
                var read = Task.Run(() =>
                {
                    foreach (var r in ReadAll(path)) if (r is TraceEvent e) _ = e.FormatFields();
                });
                // a hang is a failure of its own, reported while the read is still stuck (generous: a loaded CI machine is slow, not stuck)
                Assert.True(((IAsyncResult)read).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), $"iteration {iter} ({(truncated ? "truncated" : "flipped")}) is still reading after 60 s");
                if (read.Exception?.InnerException is TraceException te)
                {
                    Assert.Contains(path, te.Message);
                    rejected++;
                }
                else if (read.Exception is { } other)
                {
                    throw other.InnerException ?? other; // a crash of another kind: fails the test with its stack
                }
                else
                {
                    Assert.False(truncated, $"iteration {iter}: a file cut to {bytes.Length} of {original.Length} bytes read without an error");
                }
            }
        }
        finally { File.Delete(good); File.Delete(path); }
        Assert.True(rejected >= 75, $"only {rejected} of 300 mutations were rejected (every truncation must be)");
    }
}
