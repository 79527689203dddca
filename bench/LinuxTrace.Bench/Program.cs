// LinuxTrace engine benchmarks. Each mode prints one JSON line; bench/Invoke-Bench.ps1 runs them beside trace-cmd.
//   live   --seconds S --event E[,E] [--command "prog args"] [--save pages.bin]   record live with the engine (drain + decode)
//   decode --pages pages.bin [--repeat N]                                          decode saved pages: walk / objects / fields
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LinuxTrace;
using LinuxTrace.Engine.Reading;
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
    case "file": FileRead(opts); break;
    case "fields": FieldsRead(opts); break;
    case "messages": MessagesRead(opts); break;
    case "synth": Synth(opts); break;
    case "pairing": Pairing(opts); break;
    default:
        Console.Error.WriteLine("usage: live --seconds S --event E[,E] [--command \"prog args\"] [--save pages.bin] | decode --pages pages.bin [--repeat N]");
        return 2;
}
return 0;

// function_graph pairing on one core: funcgraph_entry / funcgraph_exit records laid out as Linux 6.1 writes them
// (4 tasks, call trees 1-8 deep, 3 callees per level, 60 % leaves), fed to CallGraphBuilder as the file reader feeds
// it (bytes and format, no event objects); every call becomes a FunctionCall.
static void Pairing(Dictionary<string, string> o)
{
    int records = int.Parse(o.GetValueOrDefault("records", "4000000"), CultureInfo.InvariantCulture);
    int repeat = int.Parse(o.GetValueOrDefault("repeat", "3"), CultureInfo.InvariantCulture);
    var entry = FormatParser.ParseEvent("ftrace", "name: funcgraph_entry\nID: 11\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\tfield:unsigned long func;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:int depth;\toffset:16;\tsize:4;\tsigned:1;\n\nprint fmt: \"\"\n");
    var exit = FormatParser.ParseEvent("ftrace", "name: funcgraph_exit\nID: 10\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\tfield:unsigned long func;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:int depth;\toffset:16;\tsize:4;\tsigned:1;\n\tfield:unsigned int overrun;\toffset:20;\tsize:4;\tsigned:0;\n\tfield:unsigned long long calltime;\toffset:24;\tsize:8;\tsigned:0;\n\tfield:unsigned long long rettime;\toffset:32;\tsize:8;\tsigned:0;\n\nprint fmt: \"\"\n");
    // the records, in one array (40 bytes each) as a page source would hand them out
    var data = new byte[(long)records * 40 > int.MaxValue ? throw new ArgumentException("too many records") : records * 40];
    var kinds = new bool[records];
    var rng = new Random(7);
    int n = 0;
    ulong ts = 1000;
    void Emit(bool isEntry, int pid, ulong func, int depth, ulong call)
    {
        var r = data.AsSpan(n * 40, 40);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(r, (ushort)(isEntry ? 11 : 10));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(r[4..], pid);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(r[8..], func);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(r[16..], depth);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(r[24..], call);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(r[32..], ts);
        kinds[n++] = isEntry;
    }
    void Call(int pid, int depth, int maxDepth)
    {
        if (n + 2 > records) return;
        ulong func = 0xffffffff81000000UL + (ulong)rng.Next(0, 2000) * 64, start = ts;
        Emit(true, pid, func, depth, 0);
        ts += 100;
        if (depth < maxDepth && rng.Next(10) >= 6)
            for (int i = 0; i < 3 && n + 2 <= records - (depth + 1) * 2; i++) Call(pid, depth + 1, maxDepth);
        ts += 50;
        Emit(false, pid, func, depth, start);
    }
    while (n + 20 < records) Call(1000 + rng.Next(4), 0, rng.Next(1, 9));
    var names = new Dictionary<ulong, string>();
    double best = 0;
    long calls = 0;
    for (int rep = 0; rep < repeat; rep++)
    {
        var builder = new LinuxTrace.Engine.Graph.CallGraphBuilder(a => names.TryGetValue(a, out var s) ? s : names[a] = "f" + a.ToString("x", CultureInfo.InvariantCulture), pid => "task");
        var output = new List<TraceRecord>(4096);
        var sw = Stopwatch.StartNew();
        calls = 0;
        for (int i = 0; i < n; i++)
        {
            builder.Add(0, 0, data.AsSpan(i * 40, 40), kinds[i] ? entry : exit, output);
            if (output.Count >= 4096) { calls += output.Count; output.Clear(); }
        }
        builder.Finish(output);
        calls += output.Count;
        double rate = n / sw.Elapsed.TotalSeconds;
        best = Math.Max(best, rate);
    }
    Console.WriteLine(JsonSerializer.Serialize(new { mode = "pairing", records = n, calls, recordsPerSecond = Math.Round(best) }));
}

// Reads a trace.dat file through the engine: every event becomes an object and every field is read.
static void FileRead(Dictionary<string, string> o)
{
    int repeat = int.Parse(o.GetValueOrDefault("repeat", "1"), CultureInfo.InvariantCulture);
    bool noFields = o.GetValueOrDefault("fields", "all") == "none";
    double best = 0;
    long n = 0;
    double seconds = 0, cpuSeconds = 0;
    var getters = new Dictionary<Type, Action<TraceEvent>[]>();
    for (int rep = 0; rep < repeat; rep++)
    {
    var sw = Stopwatch.StartNew();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    n = 0;
    using (var reader = new LinuxTrace.Engine.Reading.TraceFileReader([o["path"]]))
    {
        foreach (var r in reader.Read(null, null))
        {
            if (r is TraceEvent e)
            {
                if (!getters.TryGetValue(e.GetType(), out var g))
                {
                    g = getters[e.GetType()] = [FieldConsumer.For(e.GetType())];
                }
                if (!noFields) g[0](e);
                _ = e.ProcessId;
            }
            n++;
        }
    }
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
    if (n / sw.Elapsed.TotalSeconds > best) { best = n / sw.Elapsed.TotalSeconds; seconds = sw.Elapsed.TotalSeconds; cpuSeconds = cpu.TotalSeconds; }
    }
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        mode = "file", events = n, seconds, eventsPerSecond = best, cpuSeconds, peakRssMB = PeakRssMB(),
    }));
}

// Every event of a file as text: the Message (the kernel's print format rendered), as trace-cmd report prints it.
static void MessagesRead(Dictionary<string, string> o)
{
    int repeat = int.Parse(o.GetValueOrDefault("repeat", "1"), CultureInfo.InvariantCulture);
    double best = 0, seconds = 0;
    long n = 0, chars = 0;
    for (int rep = 0; rep < repeat; rep++)
    {
        var sw = Stopwatch.StartNew();
        n = 0;
        chars = 0;
        using (var reader = new LinuxTrace.Engine.Reading.TraceFileReader([o["path"]]))
        {
            foreach (var r in reader.Read(null, null))
            {
                if (r is TraceEvent e) chars += e.Message.Length;
                n++;
            }
        }
        if (n / sw.Elapsed.TotalSeconds > best) { best = n / sw.Elapsed.TotalSeconds; seconds = sw.Elapsed.TotalSeconds; }
    }
    Console.WriteLine(JsonSerializer.Serialize(new { mode = "messages", events = n, chars, seconds, eventsPerSecond = best }));
}

// The engine alone: every record of a file, every field decoded to its value, no objects.
static void FieldsRead(Dictionary<string, string> o)
{
    int repeat = int.Parse(o.GetValueOrDefault("repeat", "3"), CultureInfo.InvariantCulture);
    double best = 0;
    long n = 0, checksum = 0, markers = 0;
    for (int rep = 0; rep < repeat; rep++)
    {
        var sw = Stopwatch.StartNew();
        using var reader = new LinuxTrace.Engine.Reading.TraceFileReader([o["path"]]);
        bool walkOnly = o.GetValueOrDefault("walk") == "yes";
        markers = 0;
        n = reader.Visit(null, (in RecordRef r, EventFormat? f) =>
        {
            if (r.IsLost) { markers++; return; }
            if (f is null) { checksum += 1_000_000_007; return; }
            if (walkOnly) return;
            var rec = r.Page.AsSpan(r.Offset, r.Length);
            long sum = 0;
            foreach (ref readonly var field in f.Slots.AsSpan())
            {
                if (field.Kind == FieldKind.Scalar)
                {
                    // the value as the C reader's tep_read_number gives it: unsigned, the field's size
                    long v = FieldDecoder.ReadInteger(rec, field);
                    sum ^= field.Size >= 8 ? v : v & ((1L << (field.Size * 8)) - 1);
                }
                else if (field.IsString)
                {
                    // the string's bytes up to its NUL, as the C reader's strnlen (objects make .NET strings; this does not)
                    var s = FieldDecoder.Data(rec, field);
                    int nul = s.IndexOf((byte)0);
                    sum ^= nul < 0 ? s.Length : nul;
                }
                else
                {
                    var data = FieldDecoder.Data(rec, field);
                    if (field.ElementSize == 8) foreach (var v in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(data)) sum ^= v;
                    else foreach (var b in data) sum ^= b;
                }
            }
            checksum ^= sum;
        });
        best = Math.Max(best, (n - markers) / sw.Elapsed.TotalSeconds);
    }
    // records: events and the lost-event markers between them (the C reader counts events only)
    Console.WriteLine(JsonSerializer.Serialize(new { mode = "fields", events = n - markers, lostMarkers = markers, eventsPerSecond = best, checksum = unchecked((ulong)checksum), peakRssMB = PeakRssMB() }));
}

// Writes a large trace.dat (v7, uncompressed) by repeating recorded pages with their time stamps moved on.
static void Synth(Dictionary<string, string> o)
{
    var pages = new List<(int Cpu, byte[] Page, int Length)>();
    using (var r = new BinaryReader(File.OpenRead(o["pages"])))
    {
        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            int c = r.ReadInt32(), len = r.ReadInt32();
            pages.Add((c, r.ReadBytes(len), len));
        }
    }
    long targetBytes = long.Parse(o.GetValueOrDefault("mb", "1100"), CultureInfo.InvariantCulture) << 20;
    var fs = TraceFileSystem.Default;
    int cpus = pages.Max(p => p.Cpu) + 1;
    ulong span = pages.Max(p => BitConverter.ToUInt64(p.Page, 0)) - pages.Min(p => BitConverter.ToUInt64(p.Page, 0)) + 1_000_000;
    long perCpu = targetBytes / cpus / 4096;
    IEnumerable<(byte[], int)> Repeat(int cpu)
    {
        var mine = pages.Where(p => p.Cpu == cpu).ToList();
        long written = 0;
        for (ulong round = 0; written < perCpu; round++)
        foreach (var (_, page, len) in mine)
        {
            if (written++ >= perCpu) yield break;
            var copy = (byte[])page.Clone();
            BitConverter.TryWriteBytes(copy.AsSpan(0, 8), BitConverter.ToUInt64(page, 0) + round * span);
            yield return (copy, len);
        }
    }
    var meta = LinuxTrace.Engine.TraceDat.TraceDatMetadata.FromTracefs(fs.Top, [new EventName("raw_syscalls", "sys_enter"), new EventName("raw_syscalls", "sys_exit"), new EventName("sched", "sched_switch")], EventFactory.ForLive(fs).Commands);
    var data = Enumerable.Range(0, cpus).Select(c => new LinuxTrace.Engine.TraceDat.TraceDatCpuData(c, new EnumPages(Repeat(c)))).ToArray();
    LinuxTrace.Engine.TraceDat.TraceDatWriter.Write(o["out"], meta, data);
    Console.WriteLine(JsonSerializer.Serialize(new { mode = "synth", bytes = new FileInfo(o["out"]).Length }));
}

static double PeakRssMB()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:")) return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    return -1;
}

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
    string? command = o.GetValueOrDefault("command");
    var parts = command?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
    var session = TraceSession.Start(new TraceSessionOptions
    {
        Events = events, Command = parts.FirstOrDefault(), ArgumentList = parts.Skip(1).ToArray(),
        Duration = TimeSpan.FromSeconds(seconds), BufferSizeKB = o.TryGetValue("buffer-kb", out var kb) ? int.Parse(kb, CultureInfo.InvariantCulture) : null,
        DrainerPriority = o.GetValueOrDefault("priority") == "realtime" ? DrainerPriority.RealTime : DrainerPriority.High,
    });
    string? save = o.GetValueOrDefault("save");
    var saved = save is null ? null : new List<(int Cpu, byte[] Page, int Length)>();
    long records = 0, lost = 0, lossReports = 0;
    try
    {
        session.DrainTo(new CountingSink(saved), CancellationToken.None);
    }
    finally
    {
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

    List<CpuCursor> Cursors() => Enumerable.Range(0, cpus).Select(c =>
        new CpuCursor(c, new ListPageSource(pages.Where(p => p.Cpu == c).Select(p => (p.Page, p.Length)).ToList()), header)).ToList();
    RecordMerger Merger() => new(Cursors());

    double merged = best(() =>
    {
        long n = 0;
        var m = Merger();
        while (m.MoveNext()) n++;
        return n;
    });

    // objects through the record pipeline every reader uses (merge, filters, stacks, objects)
    var factory = new EventFactory(catalog, new CommandResolver(false));
    double objects = best(() =>
    {
        long n = 0;
        foreach (var e in new RecordPipeline(Cursors(), [factory]).Objects()) n++;
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
        foreach (var e in new RecordPipeline(Cursors(), [factory]).Objects())
        {
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

/// <summary>Reads every field property of an event class into its own type (no boxing) and folds it into a checksum.</summary>
static class FieldConsumer
{
    public static long Checksum;

    public static Action<TraceEvent> For(Type t)
    {
        var e = System.Linq.Expressions.Expression.Parameter(typeof(TraceEvent));
        var typed = System.Linq.Expressions.Expression.Convert(e, t);
        var acc = System.Linq.Expressions.Expression.Field(null, typeof(FieldConsumer).GetField(nameof(Checksum))!);
        var body = new List<System.Linq.Expressions.Expression>();
        foreach (var p in t.GetProperties().Where(p => p.DeclaringType == t))
        {
            var v = System.Linq.Expressions.Expression.Property(typed, p);
            System.Linq.Expressions.Expression asLong =
                p.PropertyType == typeof(string) ? System.Linq.Expressions.Expression.Convert(System.Linq.Expressions.Expression.Property(System.Linq.Expressions.Expression.Coalesce(v, System.Linq.Expressions.Expression.Constant("")), "Length"), typeof(long))
                : p.PropertyType.IsArray ? System.Linq.Expressions.Expression.Convert(System.Linq.Expressions.Expression.ArrayLength(v), typeof(long))
                : p.PropertyType == typeof(bool) ? System.Linq.Expressions.Expression.Condition(v, System.Linq.Expressions.Expression.Constant(1L), System.Linq.Expressions.Expression.Constant(0L))
                : System.Linq.Expressions.Expression.Convert(v, typeof(long));
            body.Add(System.Linq.Expressions.Expression.ExclusiveOrAssign(acc, asLong));
        }
        body.Add(System.Linq.Expressions.Expression.ExclusiveOrAssign(acc, System.Linq.Expressions.Expression.Convert(System.Linq.Expressions.Expression.Property(e, nameof(TraceEvent.ProcessId)), typeof(long))));
        return System.Linq.Expressions.Expression.Lambda<Action<TraceEvent>>(System.Linq.Expressions.Expression.Block(body), e).Compile();
    }
}

sealed class EnumPages(IEnumerable<(byte[], int)> pages) : IPageSource
{
    private readonly IEnumerator<(byte[], int)> _e = pages.GetEnumerator();
    public bool TryReadPage(out byte[] page, out int length, out long fileOffset)
    {
        fileOffset = -1;
        if (_e.MoveNext()) { (page, length) = _e.Current; return true; }
        page = []; length = 0; return false;
    }
}

sealed class CountingSink(List<(int, byte[], int)>? saved) : IPageSink
{
    public void Accept(int cpu, byte[] page, int length)
    {
        if (saved is null) return;
        lock (saved) saved.Add((cpu, page, length));
    }
}
