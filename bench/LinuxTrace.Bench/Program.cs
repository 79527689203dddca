// LinuxTrace engine benchmarks. Each mode prints one JSON line; bench/Invoke-Bench.ps1 runs them beside trace-cmd.
//   live   --seconds S --event E[,E] [--command "prog args"] [--save pages.bin]   record live with the engine (drain + decode)
//   decode --pages pages.bin [--repeat N]                                          decode saved pages: walk / objects / fields
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LinuxTrace;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

var opts = ParseArgs(args.Skip(1).ToArray());
switch (args.FirstOrDefault())
{
    case "live": Live(opts); break;
    case "decode": Decode(opts); break;
    default:
        Console.Error.WriteLine("usage: live --seconds S --event E[,E] [--command \"prog args\"] [--save pages.bin] | decode --pages pages.bin [--repeat N]");
        return 2;
}
return 0;

static Dictionary<string, string> ParseArgs(string[] a)
{
    var d = new Dictionary<string, string>();
    for (int i = 0; i + 1 < a.Length; i += 2) d[a[i].TrimStart('-')] = a[i + 1];
    return d;
}

static void Live(Dictionary<string, string> o)
{
    var events = o["event"].Split(',');
    double seconds = double.Parse(o.GetValueOrDefault("seconds", "5"), CultureInfo.InvariantCulture);
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var session = TraceSession.Start(new TraceSessionOptions { Events = events });
    LaunchedProcess? program = null;
    string? save = o.GetValueOrDefault("save");
    var saved = save is null ? null : new List<(int Cpu, byte[] Page, int Length)>();
    long records = 0, lost = 0, lossReports = 0;
    try
    {
        if (o.TryGetValue("command", out var cmd))
        {
            var parts = cmd.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            program = LaunchedProcess.StartSuspended(parts[0], parts[1..]);
        }
        var sink = new CountingSink(saved);
        session.StartDraining(sink);
        session.Resume();
        program?.Resume();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds && !(program?.HasExited ?? false)) Thread.Sleep(20);
        program?.WaitForExit(10000);
    }
    finally
    {
        program?.Dispose();
        var summary = session.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        // count what was drained, by decoding it now (off the drain path)
        var header = EventCatalog.ForTracefs(TraceFileSystem.Default).HeaderPage;
        if (saved is not null)
        {
            foreach (var (c, page, len) in saved)
            {
                var dec = new PageDecoder(page.AsSpan(0, len), header);
                if (dec.MissedEvents) { lossReports++; if (dec.MissedCount > 0) lost += dec.MissedCount; }
                while (dec.Next(out _, out _, out _)) records++;
            }
            using var f = File.Create(save!);
            using var w = new BinaryWriter(f);
            foreach (var (c, page, len) in saved) { w.Write(c); w.Write(len); w.Write(page, 0, len); }
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            mode = "live", events = records, kernelLost = summary.KernelLost, lossReports,
            cpuSeconds = cpu.TotalSeconds, seconds = summary.Duration.TotalSeconds,
            lostPercent = records + summary.KernelLost == 0 ? 0 : 100.0 * summary.KernelLost / (records + summary.KernelLost),
        }));
    }
}

static void Decode(Dictionary<string, string> o)
{
    int repeat = int.Parse(o.GetValueOrDefault("repeat", "3"), CultureInfo.InvariantCulture);
    var pages = new List<(int Cpu, byte[] Page, int Length)>();
    using (var r = new BinaryReader(File.OpenRead(o["pages"])))
    {
        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            int c = r.ReadInt32(), len = r.ReadInt32();
            pages.Add((c, r.ReadBytes(len), len));
        }
    }
    var fs = TraceFileSystem.Default;
    var catalog = EventCatalog.ForTracefs(fs);
    var header = catalog.HeaderPage;
    int cpus = pages.Max(p => p.Cpu) + 1;

    double best(Func<long> f)
    {
        double bestRate = 0;
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            long n = f();
            bestRate = Math.Max(bestRate, n / sw.Elapsed.TotalSeconds);
        }
        return bestRate;
    }

    long total = 0;
    double walk = best(() =>
    {
        long n = 0;
        foreach (var (_, page, len) in pages)
        {
            var dec = new PageDecoder(page.AsSpan(0, len), header);
            while (dec.Next(out _, out _, out _)) n++;
        }
        return total = n;
    });

    RecordMerger Merger() => new(Enumerable.Range(0, cpus).Select(c =>
        new CpuCursor(c, new ListPageSource(pages.Where(p => p.Cpu == c).Select(p => (p.Page, p.Length)).ToList()), header)));

    double merged = best(() =>
    {
        long n = 0;
        var m = Merger();
        while (m.MoveNext()) n++;
        return n;
    });

    var factory = new EventFactory(catalog, new CommandResolver(false));
    double objects = best(() =>
    {
        long n = 0;
        var m = Merger();
        while (m.MoveNext()) { var e = factory.Create(m.Current); if (e is not null) n++; }
        return n;
    });

    // every field of every event, through the generated typed properties (as PowerShell reads them)
    var getters = new Dictionary<Type, Func<object, object?>[]>();
    Func<object, object?>[] GettersOf(Type t)
    {
        if (getters.TryGetValue(t, out var g)) return g;
        g = t.GetProperties().Where(p => p.DeclaringType == t).Select(p =>
        {
            var obj = System.Linq.Expressions.Expression.Parameter(typeof(object));
            var body = System.Linq.Expressions.Expression.Convert(System.Linq.Expressions.Expression.Property(System.Linq.Expressions.Expression.Convert(obj, t), p), typeof(object));
            return System.Linq.Expressions.Expression.Lambda<Func<object, object?>>(body, obj).Compile();
        }).ToArray();
        return getters[t] = g;
    }
    double fields = best(() =>
    {
        long n = 0;
        var m = Merger();
        while (m.MoveNext())
        {
            var e = factory.Create(m.Current);
            foreach (var g in GettersOf(e.GetType())) g(e);
            _ = ((TraceRecord)e).TimestampNs;
            if (e is TraceEvent te) _ = te.ProcessId;
            n++;
        }
        return n;
    });

    Console.WriteLine(JsonSerializer.Serialize(new
    {
        mode = "decode", events = total, pages = pages.Count,
        walkPerSecond = walk, mergedPerSecond = merged, objectsPerSecond = objects, allFieldsPerSecond = fields,
    }));
}

sealed class CountingSink(List<(int, byte[], int)>? saved) : IPageSink
{
    public void Accept(int cpu, byte[] page, int length)
    {
        if (saved is null) return;
        lock (saved) saved.Add((cpu, page, length));
    }
}
