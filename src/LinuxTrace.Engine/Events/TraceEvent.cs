using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;

namespace LinuxTrace;

/// <summary>
/// A trace event. Each event format gets its own class, made at run time from the kernel's format file,
/// that derives from this one and adds every field as a typed property under its kernel name
/// (prev_comm is a string, prev_pid an int, ...). Fields are decoded from the ring-buffer bytes when read.
/// The record's own properties have names no kernel field uses, compared without case as PowerShell does
/// (kernel fields are named flags, name, cpu, cpuid, command...): EventSystem, EventName, CpuNumber, ProcessId, ProcessName,
/// CommonFlags, CommonPreemptCount, Timestamp, TimestampNs, TimeCreated, HostName, Message.
/// </summary>
public abstract class TraceEvent : TraceRecord
{
    internal byte[] _page = null!;
    internal int _off;
    internal int _len;
    internal EventLayout _layout = null!;
    internal DecodeContext? _context;
    internal ulong[]? _stack;
    private string[]? _stackNames;
    internal ulong[]? _userStack;
    internal int _userTgid;
    private string[]? _userStackNames;

    protected TraceEvent() { }

    /// <summary>The event's system (sched, syscalls, ...).</summary>
    public string EventSystem => _layout.Format.System;

    /// <summary>The event's name (sched_switch, ...).</summary>
    public string EventName => _layout.Format.Name;

    /// <summary>When the event fired, as local wall-clock time: the time stamp plus the offset between the trace clock
    /// and the wall clock (live: measured when the trace starts; a file: its DATE option, written by trace-cmd record
    /// --date and Start-Trace -OutFile -WallClock). Null when the offset is not known (a file without DATE, a clock
    /// that does not count nanoseconds).</summary>
    public DateTime? TimeCreated => _context?.WallClockOffsetNs is { } off
        ? DateTime.UnixEpoch.AddTicks(((long)_ts + off) / 100).ToLocalTime()
        : null;

    /// <summary>The host the event was recorded on: this one for a live trace, the host named in a file's UNAME option
    /// (so events merged from several hosts' files say where each happened).</summary>
    public string? HostName => _context?.HostName;

    /// <summary>The process (thread) that was running when the event fired: common_pid.</summary>
    public int ProcessId => _layout.PidOffset >= 0 && _layout.PidOffset + 4 <= _len ? BinaryPrimitives.ReadInt32LittleEndian(Bytes(_layout.PidOffset, 4)) : -1;

    /// <summary>The command (comm) of ProcessId: from the event itself when it carries it, else saved_cmdlines or /proc. (Not "Command": smbus and cros_ec events have a field named command.)</summary>
    public string ProcessName
    {
        get
        {
            int pid = ProcessId;
            foreach (var (comm, pidField) in _layout.CommPairs)
            {
                if (ReadInteger(_layout.Fields[pidField]) == pid) return GetString(comm);
            }
            return _context?.Commands.Lookup(pid) ?? (pid == 0 ? "<idle>" : "<...>");
        }
    }

    /// <summary>The record's common_flags (irqs-off, need-resched, hardirq, softirq).</summary>
    public TraceEventFlags CommonFlags => _layout.FlagsOffset >= 0 && _layout.FlagsOffset < _len ? (TraceEventFlags)_page[_off + _layout.FlagsOffset] : TraceEventFlags.None;

    /// <summary>Preemption depth (low nibble of common_preempt_count).</summary>
    public int CommonPreemptCount => _layout.PreemptOffset >= 0 && _layout.PreemptOffset < _len ? _page[_off + _layout.PreemptOffset] & 0xf : 0;

    /// <summary>
    /// The event as the kernel's print format renders it, as the kernel's trace file and trace-cmd report -N show it
    /// (sched_switch: "prev_comm=bash prev_pid=11528 prev_prio=120 prev_state=S ==> next_comm=..."). Rendered when read.
    /// </summary>
    public string Message => _layout.Print.Render(new PrintContext(GetRawData(), _layout.LongSize, _context?.Symbols?.Value, _context?.Printk?.Value));

    /// <summary>The kernel stack recorded with the event (Start-Trace -StackTrace, or a file with ftrace:kernel_stack
    /// records), innermost function first, as names from kallsyms ("0x…" for an address no symbol covers); null when none was recorded.</summary>
    public IReadOnlyList<string>? Stack
    {
        get
        {
            if (_stack is null) return null;
            if (_stackNames is not null) return _stackNames;
            var symbols = _context?.Symbols?.Value;
            var names = new string[_stack.Length];
            for (int i = 0; i < names.Length; i++) names[i] = symbols?.Lookup(_stack[i]) ?? "0x" + _stack[i].ToString("x", CultureInfo.InvariantCulture);
            return _stackNames = names;
        }
    }

    /// <summary>The addresses of <see cref="Stack"/>, innermost first.</summary>
    public IReadOnlyList<ulong>? StackAddresses => _stack;

    /// <summary>The user-space stack recorded with the event (Start-Trace -UserStackTrace, or a file with ftrace:user_stack
    /// records), innermost first, as function names from the program's and its libraries' ELF symbols ("libc.so.6+0x…"
    /// for an address in a file without a symbol there, "0x…" when the process's maps are not known); null when none was
    /// recorded. The kernel walks frame pointers: a program built without them gives one or two frames.</summary>
    public IReadOnlyList<string>? UserStack
    {
        get
        {
            if (_userStack is null) return null;
            if (_userStackNames is not null) return _userStackNames;
            var symbols = _context?.UserSymbols;
            var names = new string[_userStack.Length];
            for (int i = 0; i < names.Length; i++)
                names[i] = symbols?.Resolve(_userTgid, _userStack[i]) ?? "0x" + _userStack[i].ToString("x", CultureInfo.InvariantCulture);
            return _userStackNames = names;
        }
    }

    /// <summary>The addresses of <see cref="UserStack"/>, innermost first.</summary>
    public IReadOnlyList<ulong>? UserStackAddresses => _userStack;

    /// <summary>The event's own field names, in format order (as properties are named on this object).</summary>
    public IReadOnlyList<string> GetFieldNames() => _layout.PropertyNames;

    /// <summary>The format the event was decoded with.</summary>
    public EventFormat GetFormat() => _layout.Format;

    /// <summary>The raw payload bytes of the record (common header included).</summary>
    public ReadOnlySpan<byte> GetRawData() => _page.AsSpan(_off, _len);

    /// <summary>The value of a field by its kernel name, or null when the event has no such field.</summary>
    public object? GetFieldValue(string name)
    {
        for (int i = 0; i < _layout.Fields.Length; i++)
            if (_layout.Fields[i].Name == name || _layout.PropertyNames[i] == name) return GetBoxed(i);
        return null;
    }

    /// <summary>A compact "field=value" summary of the event's own fields, like trace-cmd report -R.</summary>
    public string FormatFields()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < _layout.Fields.Length; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(_layout.Fields[i].Name).Append('=');
            AppendValue(sb, GetBoxed(i));
        }
        return sb.ToString();
    }

    internal static void AppendValue(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null: break;
            case string s: sb.Append(s); break;
            case Array a:
                sb.Append('{');
                for (int j = 0; j < a.Length; j++)
                {
                    if (j > 0) sb.Append(',');
                    sb.Append(Convert.ToString(a.GetValue(j), CultureInfo.InvariantCulture));
                }
                sb.Append('}');
                break;
            default: sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>A line as trace-cmd report prints it: time, CPU, command-pid, event and message.</summary>
    public override string ToString() => $"{TimeText} [{CpuNumber:D3}] {ProcessName}-{ProcessId} {EventSystem}:{EventName}: {Message}";

    internal object? GetBoxed(int i)
    {
        var f = _layout.Fields[i];
        Type t = f.ClrType;
        if (t == typeof(string)) return GetString(i);
        if (t.IsArray)
        {
            return f.ElementType switch
            {
                var e when e == typeof(byte) => GetArray<byte>(i),
                var e when e == typeof(sbyte) => GetArray<sbyte>(i),
                var e when e == typeof(bool) => GetArray<bool>(i),
                var e when e == typeof(short) => GetArray<short>(i),
                var e when e == typeof(ushort) => GetArray<ushort>(i),
                var e when e == typeof(int) => GetArray<int>(i),
                var e when e == typeof(uint) => GetArray<uint>(i),
                var e when e == typeof(long) => GetArray<long>(i),
                _ => GetArray<ulong>(i),
            };
        }
        if (t == typeof(bool)) return GetBool(i);
        if (t == typeof(sbyte)) return GetSByte(i);
        if (t == typeof(byte)) return GetByte(i);
        if (t == typeof(short)) return GetInt16(i);
        if (t == typeof(ushort)) return GetUInt16(i);
        if (t == typeof(int)) return GetInt32(i);
        if (t == typeof(uint)) return GetUInt32(i);
        if (t == typeof(long)) return GetInt64(i);
        return GetUInt64(i);
    }

    // ---- accessors the generated property getters call (index = position among the event's own fields) ----

    private ReadOnlySpan<byte> Bytes(int offset, int size) => _page.AsSpan(_off + offset, size);

    private bool Has(FieldFormat f) => f.Offset + f.Size <= _len;

    private long ReadInteger(FieldFormat f) => FieldDecoder.ReadInteger(GetRawData(), f);

    protected bool GetBool(int i) { var f = _layout.Fields[i]; return Has(f) && _page[_off + f.Offset] != 0; }
    protected sbyte GetSByte(int i) { var f = _layout.Fields[i]; return Has(f) ? (sbyte)_page[_off + f.Offset] : (sbyte)0; }
    protected byte GetByte(int i) { var f = _layout.Fields[i]; return Has(f) ? _page[_off + f.Offset] : (byte)0; }
    protected short GetInt16(int i) { var f = _layout.Fields[i]; return Has(f) ? BinaryPrimitives.ReadInt16LittleEndian(Bytes(f.Offset, 2)) : (short)0; }
    protected ushort GetUInt16(int i) { var f = _layout.Fields[i]; return Has(f) ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes(f.Offset, 2)) : (ushort)0; }
    protected int GetInt32(int i) { var f = _layout.Fields[i]; return Has(f) ? BinaryPrimitives.ReadInt32LittleEndian(Bytes(f.Offset, 4)) : 0; }
    protected uint GetUInt32(int i) { var f = _layout.Fields[i]; return Has(f) ? BinaryPrimitives.ReadUInt32LittleEndian(Bytes(f.Offset, 4)) : 0; }
    protected long GetInt64(int i) { var f = _layout.Fields[i]; return Has(f) ? BinaryPrimitives.ReadInt64LittleEndian(Bytes(f.Offset, 8)) : 0; }
    protected ulong GetUInt64(int i) { var f = _layout.Fields[i]; return Has(f) ? BinaryPrimitives.ReadUInt64LittleEndian(Bytes(f.Offset, 8)) : 0; }

    /// <summary>The kernel symbol a field's address points into (fields the kernel prints with %ps / %pS).</summary>
    protected string? GetSymbol(int i, bool withOffset)
    {
        var f = _layout.Fields[i];
        if (!Has(f) || f.Size != 8 && f.Size != 4) return null;
        ulong addr = f.Size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(Bytes(f.Offset, 8)) : BinaryPrimitives.ReadUInt32LittleEndian(Bytes(f.Offset, 4));
        return _context?.Symbols?.Value.Lookup(addr, withOffset);
    }

    /// <summary>The name of the system call a raw_syscalls event's id field holds.</summary>
    protected string? GetSyscall(int i)
    {
        var f = _layout.Fields[i];
        long nr = FieldDecoder.ReadInteger(GetRawData(), f);
        return nr == long.MinValue ? null : _context?.Syscalls?.Name(nr);
    }

    protected string GetString(int i) => FieldDecoder.ReadString(GetRawData(), _layout.Fields[i]);

    protected T[] GetArray<T>(int i) where T : unmanaged
    {
        var f = _layout.Fields[i];
        var span = FieldData(f);
        int size = global::System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (f.ElementSize != size && f.ElementSize > 0)
        {
            // element size differs from T (e.g. a 4-byte long on a 32-bit kernel): widen element by element
            int n = span.Length / f.ElementSize;
            var widened = new T[n];
            var bytes = MemoryMarshal.AsBytes(widened.AsSpan());
            for (int k = 0; k < n; k++) span.Slice(k * f.ElementSize, Math.Min(size, f.ElementSize)).CopyTo(bytes[(k * size)..]);
            return widened;
        }
        return MemoryMarshal.Cast<byte, T>(span[..(span.Length / size * size)]).ToArray();
    }

    private ReadOnlySpan<byte> FieldData(FieldFormat f) => FieldDecoder.Data(GetRawData(), f);
}
