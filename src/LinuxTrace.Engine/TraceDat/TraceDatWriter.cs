using LinuxTrace.Engine.Formats;
using System.Buffers.Binary;
using System.Text;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.TraceDat;

/// <summary>
/// Writes trace-cmd trace.dat files, version 7 (sections, options, strings; none, zstd or zlib) or 6, from
/// metadata and raw ring-buffer pages, without decoding a single event.
/// </summary>
public static class TraceDatWriter
{
    private const int PagesInChunk = 10;

    /// <summary>Writes one buffer of an existing trace.dat file as another file (another version or compression).</summary>
    public static void Convert(string source, string? buffer, string path, int version = 7, string compression = "none")
    {
        using var f = TraceDatFile.Open(source);
        // a file cut inside its data is not copied as if it were whole (Get-TraceEvent reads what is there)
        if (f.Truncation is { } cut) throw cut;
        var b = f.GetBuffer(buffer);
        Write(path, TraceDatMetadata.FromFile(f), b.Cpus.Select(c => new TraceDatCpuData(c.Cpu, f.OpenPages(b, c))).ToArray(), version, compression);
    }

    public static void Write(string path, TraceDatMetadata meta, IReadOnlyList<TraceDatCpuData> cpus, int version = 7, string compression = "none")
    {
        if (version is not (6 or 7)) throw new TraceException(TraceErrorKind.InvalidArgument, $"trace.dat version {version} cannot be written (6 or 7).");
        var codec = version == 7 ? TraceCompression.For(compression) : null;
        if (version == 6 && compression != "none")
            throw new TraceException(TraceErrorKind.InvalidArgument, "trace.dat version 6 has no compression: use -FileVersion 7 to compress.");
        string tmp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                var w = new Out(fs);
                if (version == 7) WriteV7(w, meta, cpus, codec);
                else WriteV6(w, meta, cpus);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    private sealed class Out(FileStream fs)
    {
        public long Position => fs.Position;
        public void Bytes(ReadOnlySpan<byte> b) => fs.Write(b);
        public void U8(byte v) => fs.WriteByte(v);
        public void U16(ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); fs.Write(b); }
        public void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); fs.Write(b); }
        public void U64(ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); fs.Write(b); }
        public void CString(string s) { Bytes(Encoding.UTF8.GetBytes(s)); U8(0); }
        public void Text(string s) => Bytes(Encoding.UTF8.GetBytes(s));
        public void PatchU32(long at, uint v) { long p = fs.Position; fs.Position = at; U32(v); fs.Position = p; }
        public void PatchU64(long at, ulong v) { long p = fs.Position; fs.Position = at; U64(v); fs.Position = p; }
        public void PadTo(long alignment) { long pad = (alignment - fs.Position % alignment) % alignment; if (pad > 0) Bytes(new byte[pad]); }
    }

    private static void Preamble(Out w, int version, int pageSize)
    {
        w.Bytes(TraceDatFile.Magic);
        w.CString(version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.U8(0); // little-endian
        w.U8((byte)IntPtr.Size);
        w.U32((uint)pageSize);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    // ---- the metadata blocks, shared by both versions ------------------------------------------

    private static byte[] HeaderInfo(TraceDatMetadata m)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write(Utf8("header_page\0"));
        var hp = Utf8(m.HeaderPage);
        w.Write((ulong)hp.Length); w.Write(hp);
        w.Write(Utf8("header_event\0"));
        var he = Utf8(m.HeaderEvent);
        w.Write((ulong)he.Length); w.Write(he);
        return ms.ToArray();
    }

    private static byte[] FtraceFormats(TraceDatMetadata m)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        var list = m.Formats.Where(f => f.System == "ftrace").ToArray();
        w.Write((uint)list.Length);
        foreach (var (_, text) in list) { var b = Utf8(text); w.Write((ulong)b.Length); w.Write(b); }
        return ms.ToArray();
    }

    private static byte[] EventFormats(TraceDatMetadata m)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        var systems = m.Formats.Where(f => f.System != "ftrace").GroupBy(f => f.System).ToArray();
        w.Write((uint)systems.Length);
        foreach (var g in systems)
        {
            w.Write(Utf8(g.Key + "\0"));
            w.Write((uint)g.Count());
            foreach (var (_, text) in g) { var b = Utf8(text); w.Write((ulong)b.Length); w.Write(b); }
        }
        return ms.ToArray();
    }

    private static byte[] Sized32(string text) { var b = Utf8(text); var r = new byte[4 + b.Length]; BinaryPrimitives.WriteUInt32LittleEndian(r, (uint)b.Length); b.CopyTo(r, 4); return r; }
    private static byte[] Sized64(string text) { var b = Utf8(text); var r = new byte[8 + b.Length]; BinaryPrimitives.WriteUInt64LittleEndian(r, (ulong)b.Length); b.CopyTo(r, 8); return r; }

    private static byte[] Option(ushort id, ReadOnlySpan<byte> data)
    {
        var r = new byte[6 + data.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(r, id);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(2), (uint)data.Length);
        data.CopyTo(r.AsSpan(6));
        return r;
    }

    private static byte[] StringOption(ushort id, string s) => Option(id, Utf8(s + "\0"));
    private static byte[] U64Option(ushort id, ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return Option(id, b); }

    private static IEnumerable<byte[]> CommonOptions(TraceDatMetadata m)
    {
        if (m.Date is not null) yield return StringOption(TraceDatFile.OptDate, m.Date);
        yield return StringOption(TraceDatFile.OptTraceClock, m.TraceClockText);
        if (m.Uname is not null) yield return StringOption(TraceDatFile.OptUname, m.Uname);
        yield return StringOption(TraceDatFile.OptVersion, m.Version);
        foreach (var s in m.CpuStats) yield return StringOption(TraceDatFile.OptCpuStat, s);
        foreach (var p in m.ProcessMaps) yield return StringOption(TraceDatFile.OptProcMaps, p.ToTraceCmdOption());
        var cc = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(cc, (uint)m.CpuCount);
        yield return Option(TraceDatFile.OptCpuCount, cc);
    }

    // ---- version 7 ------------------------------------------------------------------------------

    private sealed class Strings
    {
        private readonly MemoryStream _ms = new();
        public int Add(string s) { int at = (int)_ms.Length; _ms.Write(Utf8(s + "\0")); return at; }
        public byte[] Bytes => _ms.ToArray();
    }

    private static long Section(Out w, ushort id, int description, byte[] payload, TraceCompression? codec)
    {
        long at = w.Position;
        bool compress = codec is not null && payload.Length > 0;
        byte[] body = payload;
        if (compress)
        {
            var c = codec!.Compress(payload);
            body = new byte[8 + c.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)c.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)payload.Length);
            c.CopyTo(body, 8);
        }
        w.U16(id);
        w.U16(compress ? TraceDatFile.SectionCompressed : (ushort)0);
        w.U32((uint)description);
        w.U64((ulong)body.Length);
        w.Bytes(body);
        return at;
    }

    private static void WriteV7(Out w, TraceDatMetadata m, IReadOnlyList<TraceDatCpuData> cpus, TraceCompression? codec)
    {
        var strings = new Strings();
        Preamble(w, 7, m.PageSize);
        w.CString(codec?.Name ?? "none");
        w.CString(codec?.Version ?? "");
        long firstOptionsField = w.Position;
        w.U64(0);

        var offsets = new List<byte[]>
        {
            U64Option(TraceDatFile.OptHeaderInfo, (ulong)Section(w, TraceDatFile.OptHeaderInfo, strings.Add("headers"), HeaderInfo(m), codec)),
            U64Option(TraceDatFile.OptFtraceEvents, (ulong)Section(w, TraceDatFile.OptFtraceEvents, strings.Add("ftrace events"), FtraceFormats(m), codec)),
            U64Option(TraceDatFile.OptEventFormats, (ulong)Section(w, TraceDatFile.OptEventFormats, strings.Add("events format"), EventFormats(m), codec)),
            U64Option(TraceDatFile.OptKallsyms, (ulong)Section(w, TraceDatFile.OptKallsyms, strings.Add("kallsyms"), Sized32(m.Kallsyms), codec)),
            U64Option(TraceDatFile.OptPrintk, (ulong)Section(w, TraceDatFile.OptPrintk, strings.Add("printk"), Sized32(m.PrintkFormats), codec)),
            U64Option(TraceDatFile.OptCmdlines, (ulong)Section(w, TraceDatFile.OptCmdlines, strings.Add("command lines"), Sized64(m.SavedCmdlines), codec)),
        };

        // first options section: where the metadata is, plus the host's description; DONE points at the second
        var opts = new MemoryStream();
        foreach (var o in offsets.Concat(CommonOptions(m))) opts.Write(o);
        w.PatchU64(firstOptionsField, (ulong)w.Position);
        long nextOptionsField = OptionsSection(w, strings.Add("options"), opts.ToArray());

        // the trace data: one flyrecord section, each CPU's data page-aligned
        long flyAt = w.Position;
        w.U16(TraceDatFile.OptBuffer);
        w.U16(codec is not null ? TraceDatFile.SectionCompressed : (ushort)0);
        w.U32((uint)strings.Add("buffer flyrecord"));
        long flySizeField = w.Position;
        w.U64(0);
        var table = new List<(int Cpu, long Offset, long Size)>();
        foreach (var cpu in cpus)
        {
            w.PadTo(m.PageSize);
            long start = w.Position;
            long size = codec is null ? CopyPages(w, cpu.Pages, m.PageSize) : CopyChunks(w, cpu.Pages, m.PageSize, codec);
            table.Add((cpu.Cpu, start, size));
        }
        w.PadTo(m.PageSize);
        w.PatchU64(flySizeField, (ulong)(w.Position - flySizeField - 8));

        // second options section: the buffer, then the end
        w.PatchU64(nextOptionsField, (ulong)w.Position);
        var buf = new MemoryStream();
        var bw = new BinaryWriter(buf);
        bw.Write((ulong)flyAt);
        bw.Write(Utf8("\0"));
        bw.Write(Utf8(m.Clock + "\0"));
        bw.Write((uint)m.PageSize);
        bw.Write((uint)table.Count);
        foreach (var (c, o, s) in table) { bw.Write((uint)c); bw.Write((ulong)o); bw.Write((ulong)s); }
        OptionsSection(w, strings.Add("options"), Option(TraceDatFile.OptBuffer, buf.ToArray()));

        // section descriptions last, so that every id above is known
        w.U16(TraceDatFile.SecStrings);
        w.U16(0);
        w.U32((uint)strings.Add("strings"));
        var all = strings.Bytes;
        w.U64((ulong)all.Length);
        w.Bytes(all);
    }

    /// <summary>An OPTIONS section: the options, then DONE with a next-section offset of 0; returns where that
    /// offset is, for the caller to patch when another options section follows.</summary>
    private static long OptionsSection(Out w, int description, byte[] options)
    {
        w.U16(0);
        w.U16(0);
        w.U32((uint)description);
        w.U64((ulong)(options.Length + 14)); // + DONE: u16 id, u32 size, u64 next
        w.Bytes(options);
        w.U16(TraceDatFile.OptDone);
        w.U32(8);
        long next = w.Position;
        w.U64(0);
        return next;
    }

    /// <summary>The pages that hold something (empty ones, commit 0 and no loss flags, are left out as trace-cmd
    /// does), each a full page: shorter reads are padded with zeros. The returned buffer is reused.</summary>
    private static IEnumerable<byte[]> FullPages(IPageSource pages, int pageSize)
    {
        var buffer = new byte[pageSize];
        while (pages.TryReadPage(out var page, out int len, out _))
        {
            if (len < 16) continue;
            ulong commit = BinaryPrimitives.ReadUInt64LittleEndian(page.AsSpan(8));
            if ((commit & ((1UL << 27) - 1)) == 0 && commit >> 30 == 0) continue;
            int n = Math.Min(len, pageSize);
            page.AsSpan(0, n).CopyTo(buffer);
            buffer.AsSpan(n).Clear();
            yield return buffer;
        }
    }

    /// <summary>Copies every page; returns the bytes written.</summary>
    private static long CopyPages(Out w, IPageSource pages, int pageSize)
    {
        long total = 0;
        foreach (var page in FullPages(pages, pageSize))
        {
            w.Bytes(page);
            total += pageSize;
        }
        return total;
    }

    /// <summary>Compresses pages in chunks of 10 (as trace-cmd does): u32 chunk count, then {u32 csize, u32 usize, data}.</summary>
    private static long CopyChunks(Out w, IPageSource pages, int pageSize, TraceCompression codec)
    {
        long start = w.Position;
        w.U32(0);
        uint chunks = 0;
        var chunk = new byte[pageSize * PagesInChunk];
        int used = 0;
        void Flush()
        {
            if (used == 0) return;
            var c = codec.Compress(chunk.AsSpan(0, used));
            w.U32((uint)c.Length);
            w.U32((uint)used);
            w.Bytes(c);
            chunks++;
            used = 0;
        }
        foreach (var page in FullPages(pages, pageSize))
        {
            page.CopyTo(chunk, used);
            used += pageSize;
            if (used == chunk.Length) Flush();
        }
        Flush();
        w.PatchU32(start, chunks);
        return w.Position - start - 4; // trace-cmd counts the chunks, not the count in front of them
    }

    // ---- version 6 ------------------------------------------------------------------------------

    private static void WriteV6(Out w, TraceDatMetadata m, IReadOnlyList<TraceDatCpuData> cpus)
    {
        Preamble(w, 6, m.PageSize);
        w.Bytes(HeaderInfo(m));
        w.Bytes(FtraceFormats(m));
        w.Bytes(EventFormats(m));
        w.Bytes(Sized32(m.Kallsyms));
        w.Bytes(Sized32(m.PrintkFormats));
        w.Bytes(Sized64(m.SavedCmdlines));
        int ncpu = Math.Max(m.CpuCount, cpus.Count == 0 ? 0 : cpus.Max(c => c.Cpu) + 1);
        w.U32((uint)ncpu);
        w.Bytes(Utf8("options  \0"));
        foreach (var o in CommonOptions(m)) w.Bytes(o);
        w.U16(0);
        w.Bytes(Utf8("flyrecord\0"));
        long table = w.Position;
        for (int i = 0; i < ncpu; i++) { w.U64(0); w.U64(0); }
        var clock = Utf8($"[{m.Clock}]");
        w.U64((ulong)clock.Length);
        w.Bytes(clock);
        foreach (var cpu in cpus.OrderBy(c => c.Cpu))
        {
            w.PadTo(m.PageSize);
            long start = w.Position;
            long size = CopyPages(w, cpu.Pages, m.PageSize);
            w.PatchU64(table + cpu.Cpu * 16L, size == 0 ? 0 : (ulong)start);
            w.PatchU64(table + cpu.Cpu * 16L + 8, (ulong)size);
        }
    }
}
