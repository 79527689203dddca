using System.Buffers.Binary;
using System.Text;
using LinuxTrace.Engine.Tracefs;
using Microsoft.Win32.SafeHandles;

namespace LinuxTrace.Engine.Symbols;

/// <summary>
/// What a uprobe needs from an ELF file, read with the BCL: the header, the section headers, the PT_LOAD program
/// headers (virtual address to file offset), the function symbols of .symtab and .dynsym, and notes
/// (.note.stapsdt for USDT). Only the parts asked for are read; sizes are checked against the file so a damaged
/// or hostile file gives an <see cref="InvalidDataException"/>-style <see cref="TraceDataException"/>, never a huge allocation.
/// </summary>
public sealed class ElfFile
{
    private const int MaxTableBytes = 256 << 20;
    private readonly byte[] _header;
    private readonly Section[] _sections;
    private readonly Segment[] _segments;

    private readonly record struct Section(string Name, uint Type, ulong Flags, ulong Address, long Offset, long Size, uint Link, long EntrySize);
    private readonly record struct Segment(uint Type, uint Flags, long Offset, ulong VirtualAddress, long FileSize, ulong MemorySize);

    public string Path { get; }
    public bool Is64 { get; }
    public bool IsLittleEndian { get; }
    /// <summary>e_type: 2 executable, 3 shared object or PIE.</summary>
    public int FileType { get; }
    public int Machine { get; }
    public long Length { get; }

    private ElfFile(string path, byte[] data, long length)
    {
        Path = path;
        Length = length;
        _header = data;
        _sections = [];
        _segments = [];
        if (data.Length < 16 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            throw new TraceDataException("not an ELF file (no \\x7fELF magic).", path, 0);
        Is64 = data[4] switch { 1 => false, 2 => true, _ => throw new TraceDataException($"unknown ELF class {data[4]}.", path, 4) };
        IsLittleEndian = data[5] switch { 1 => true, 2 => false, _ => throw new TraceDataException($"unknown ELF data encoding {data[5]}.", path, 5) };
        if (data.Length < (Is64 ? 64 : 52)) throw new TraceDataException("truncated ELF header.", path, 0);
        FileType = U16(data, 16);
        Machine = U16(data, 18);
    }

    /// <summary>Opens and indexes <paramref name="path"/>.</summary>
    public static ElfFile Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException e) { throw new TraceException(TraceErrorKind.NotFound, $"There is no file {path}.", path, 0, e) { ErrorId = "ElfFileNotFound" }; }
        catch (DirectoryNotFoundException e) { throw new TraceException(TraceErrorKind.NotFound, $"There is no file {path}.", path, 0, e) { ErrorId = "ElfFileNotFound" }; }
        catch (UnauthorizedAccessException e) { throw new TraceException(TraceErrorKind.PermissionDenied, $"Cannot read {path}: permission denied.", path, 0, e); }
        catch (IOException e) { throw new TraceException(TraceErrorKind.Failed, $"Cannot read {path}: {e.Message}", path, 0, e); }
        using (handle)
        {
            long length = RandomAccess.GetLength(handle);
            var head = new byte[(int)Math.Min(64, length)];
            RandomAccess.Read(handle, head, 0);
            var elf = new ElfFile(path, head, length);
            return elf.Index(handle);
        }
    }

    private ElfFile(ElfFile header, Section[] sections, Segment[] segments)
    {
        Path = header.Path; Length = header.Length; _header = header._header; Is64 = header.Is64; IsLittleEndian = header.IsLittleEndian;
        FileType = header.FileType; Machine = header.Machine;
        _sections = sections; _segments = segments;
    }

    private ElfFile Index(SafeFileHandle h)
    {
        var d = _header;
        long phoff = Is64 ? (long)U64(d, 32) : U32(d, 28);
        long shoff = Is64 ? (long)U64(d, 40) : U32(d, 32);
        int phentsize = U16(d, Is64 ? 54 : 42), phnum = U16(d, Is64 ? 56 : 44);
        int shentsize = U16(d, Is64 ? 58 : 46), shnum = U16(d, Is64 ? 60 : 48), shstrndx = U16(d, Is64 ? 62 : 50);

        var segments = new List<Segment>();
        if (phoff > 0 && phnum > 0)
        {
            var ph = ReadRange(h, phoff, (long)phentsize * phnum, "program headers");
            for (int i = 0; i < phnum; i++)
            {
                int o = i * phentsize;
                if (Is64)
                    segments.Add(new Segment(U32(ph, o), U32(ph, o + 4), (long)U64(ph, o + 8), U64(ph, o + 16), (long)U64(ph, o + 32), U64(ph, o + 40)));
                else
                    segments.Add(new Segment(U32(ph, o), U32(ph, o + 24), U32(ph, o + 4), U32(ph, o + 8), U32(ph, o + 16), U32(ph, o + 20)));
            }
        }

        var raw = new List<(uint NameOff, uint Type, ulong Flags, ulong Addr, long Off, long Size, uint Link, long EntSize)>();
        if (shoff > 0 && shnum > 0)
        {
            var sh = ReadRange(h, shoff, (long)shentsize * shnum, "section headers");
            for (int i = 0; i < shnum; i++)
            {
                int o = i * shentsize;
                if (Is64)
                    raw.Add((U32(sh, o), U32(sh, o + 4), U64(sh, o + 8), U64(sh, o + 16), (long)U64(sh, o + 24), (long)U64(sh, o + 32), U32(sh, o + 40), (long)U64(sh, o + 56)));
                else
                    raw.Add((U32(sh, o), U32(sh, o + 4), U32(sh, o + 8), U32(sh, o + 12), U32(sh, o + 16), U32(sh, o + 20), U32(sh, o + 24), U32(sh, o + 36)));
            }
        }
        byte[] names = shstrndx < raw.Count && raw[shstrndx].Type != 8 ? ReadRange(h, raw[shstrndx].Off, raw[shstrndx].Size, "section names") : [];
        var sections = raw.Select(s => new Section(CString(names, (int)Math.Min(s.NameOff, (uint)names.Length)), s.Type, s.Flags, s.Addr, s.Off, s.Size, s.Link, s.EntSize)).ToArray();
        return new ElfFile(this, sections, segments.ToArray());
    }

    private byte[] ReadRange(SafeFileHandle h, long offset, long size, string what)
    {
        if (offset < 0 || size < 0 || offset > Length || size > Length - offset)
            throw new TraceDataException($"{what} lie outside the file ({size} bytes at {offset}; the file has {Length}).", Path, offset);
        if (size > MaxTableBytes) throw new TraceDataException($"{what} are implausibly large ({size} bytes).", Path, offset);
        var buf = new byte[size];
        int done = 0;
        while (done < buf.Length)
        {
            int n = RandomAccess.Read(h, buf.AsSpan(done), offset + done);
            if (n <= 0) throw new TraceDataException($"{what}: unexpected end of file.", Path, offset + done);
            done += n;
        }
        return buf;
    }

    private byte[] ReadSection(Section s)
    {
        using var h = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return ReadRange(h, s.Offset, s.Size, $"section {s.Name}");
    }

    /// <summary>The virtual address of a section (for .stapsdt.base), or null.</summary>
    public ulong? SectionAddress(string name)
    {
        foreach (var s in _sections) if (s.Name == name) return s.Address;
        return null;
    }

    /// <summary>The file offset of virtual address <paramref name="address"/>, through the PT_LOAD segment that maps it; null when none does.</summary>
    public long? FileOffsetOf(ulong address, bool executableOnly = false)
    {
        foreach (var seg in _segments)
        {
            if (seg.Type != 1 /* PT_LOAD */) continue;
            if (executableOnly && (seg.Flags & 1) == 0) continue;
            if (address >= seg.VirtualAddress && address < seg.VirtualAddress + (ulong)Math.Max(seg.FileSize, 0))
                return seg.Offset + (long)(address - seg.VirtualAddress);
        }
        return null;
    }

    /// <summary>The virtual address that file offset <paramref name="offset"/> is loaded at, through the PT_LOAD segment that
    /// holds it; null when none does.</summary>
    public ulong? VirtualAddressOf(long offset)
    {
        foreach (var seg in _segments)
        {
            if (seg.Type != 1 /* PT_LOAD */) continue;
            if (offset >= seg.Offset && offset < seg.Offset + Math.Max(seg.FileSize, 0))
                return seg.VirtualAddress + (ulong)(offset - seg.Offset);
        }
        return null;
    }

    /// <summary>Defined function symbols (STT_FUNC and STT_GNU_IFUNC) of .symtab and .dynsym, each once per name and address.</summary>
    public IReadOnlyList<ElfSymbol> FunctionSymbols() => Symbols(type => type is 2 or 10);

    /// <summary>The address of a defined symbol of any kind (a variable for a USDT argument), or null.</summary>
    public ulong? SymbolAddress(string name) => Symbols(type => type is 1 or 2 or 10 or 0, name).FirstOrDefault() is { Name: not null } s ? s.Address : null;

    private List<ElfSymbol> Symbols(Func<int, bool> wantType, string? onlyName = null)
    {
        var list = new List<ElfSymbol>();
        var seen = new HashSet<(string, ulong)>();
        foreach (var table in _sections.Where(s => s.Type is 2 /* SYMTAB */ or 11 /* DYNSYM */))
        {
            if (table.Link >= _sections.Length) continue;
            byte[] syms = ReadSection(table), strs = ReadSection(_sections[table.Link]);
            int size = Is64 ? 24 : 16;
            for (int o = size; o + size <= syms.Length; o += size) // entry 0 is the null symbol
            {
                uint nameOff; byte info; ushort shndx; ulong value, sz;
                if (Is64) { nameOff = U32(syms, o); info = syms[o + 4]; shndx = U16(syms, o + 6); value = U64(syms, o + 8); sz = U64(syms, o + 16); }
                else { nameOff = U32(syms, o); value = U32(syms, o + 4); sz = U32(syms, o + 8); info = syms[o + 12]; shndx = U16(syms, o + 14); }
                int type = info & 0xf, bind = info >> 4;
                if (!wantType(type) || shndx == 0 || value == 0 || nameOff >= strs.Length) continue;
                string name = CString(strs, (int)nameOff);
                if (name.Length == 0 || (onlyName is not null && name != onlyName) || !seen.Add((name, value))) continue;
                long off = FileOffsetOf(value, executableOnly: true) ?? FileOffsetOf(value) ?? -1;
                list.Add(new ElfSymbol(name, value, sz, bind is 1 or 2, type == 10, off));
            }
        }
        return list;
    }

    /// <summary>The notes of section <paramref name="sectionName"/> (SHT_NOTE).</summary>
    public IReadOnlyList<ElfNote> Notes(string sectionName)
    {
        var notes = new List<ElfNote>();
        foreach (var s in _sections.Where(s => s.Name == sectionName && s.Type == 7))
        {
            var d = ReadSection(s);
            int o = 0;
            while (o + 12 <= d.Length)
            {
                uint namesz = U32(d, o), descsz = U32(d, o + 4), type = U32(d, o + 8);
                o += 12;
                long nameEnd = o + (long)namesz, descStart = o + Align4(namesz), descEnd = descStart + descsz;
                if (nameEnd > d.Length || descEnd > d.Length)
                    throw new TraceDataException($"note in {sectionName} runs past its section.", Path, s.Offset + o);
                string name = Encoding.ASCII.GetString(d, o, (int)namesz).TrimEnd('\0');
                notes.Add(new ElfNote(name, type, d.AsSpan((int)descStart, (int)descsz).ToArray()));
                o = (int)(descStart + Align4(descsz));
            }
        }
        return notes;
    }

    private static long Align4(uint n) => (n + 3L) & ~3L;

    internal ulong ReadAddress(byte[] d, int offset) => Is64 ? U64(d, offset) : U32(d, offset);

    private ushort U16(byte[] d, int o) => IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(o)) : BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(o));
    private uint U32(byte[] d, int o) => IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(o)) : BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(o));
    private ulong U64(byte[] d, int o) => IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(o)) : BinaryPrimitives.ReadUInt64BigEndian(d.AsSpan(o));

    private static string CString(byte[] d, int o)
    {
        if (o >= d.Length) return "";
        int end = Array.IndexOf(d, (byte)0, o);
        return Encoding.UTF8.GetString(d, o, (end < 0 ? d.Length : end) - o);
    }
}
