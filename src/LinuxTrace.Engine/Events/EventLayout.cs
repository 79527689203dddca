using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using LinuxTrace.Engine.Formats;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// Everything needed to turn a record of one event format into an object: the run-time class made for
/// the format (one typed property per field, named as in the kernel), its factory, and the offsets of
/// the common fields. Made once per distinct format and shared.
/// </summary>
internal sealed class EventLayout
{
    private static readonly ModuleBuilder Module = AssemblyBuilder
        .DefineDynamicAssembly(new AssemblyName("LinuxTrace.Events"), AssemblyBuilderAccess.Run)
        .DefineDynamicModule("LinuxTrace.Events");
    private static readonly ConcurrentDictionary<string, EventLayout> Cache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> TypeNames = new(StringComparer.Ordinal);
    private static readonly object EmitGate = new();

    private static readonly HashSet<string> Reserved = new(
        typeof(TraceEvent).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    private EventLayout(EventFormat format, int longSize)
    {
        LongSize = longSize;
        Format = format;
        Fields = format.OwnFields.ToArray();
        PropertyNames = Fields.Select(f => Reserved.Contains(f.Name) ? f.Name + "_" : f.Name).ToArray();
        PidOffset = format.GetField("common_pid")?.Offset ?? -1;
        FlagsOffset = format.GetField("common_flags")?.Offset ?? -1;
        PreemptOffset = format.GetField("common_preempt_count")?.Offset ?? -1;
        var pairs = new List<(int, int)>();
        for (int i = 0; i < Fields.Length; i++)
        {
            var f = Fields[i];
            if (!f.Name.EndsWith("comm", StringComparison.Ordinal) || f.ClrType != typeof(string)) continue;
            string pidName = f.Name[..^4] + "pid";
            int j = Array.FindIndex(Fields, g => g.Name == pidName && g.Kind == FieldKind.Scalar);
            if (j >= 0) pairs.Add((i, j));
        }
        CommPairs = pairs.ToArray();
        var symbols = new List<(int, bool, string)>();
        Print = PrintFormat.Parse(format, longSize);
        foreach (var (field, withOffset) in Print.SymbolFields)
        {
            int i = Array.FindIndex(Fields, f => f.Name == field && f.Kind == FieldKind.Scalar && f.Size is 4 or 8);
            string prop = field + "_symbol";
            if (i >= 0 && !PropertyNames.Contains(prop) && !Reserved.Contains(prop)) symbols.Add((i, withOffset, prop));
        }
        // function-tracer records: the called function and its caller by name, as trace-cmd report shows them
        if (format.System == "ftrace" && format.Name == "function")
        {
            foreach (var (field, prop) in new[] { ("ip", "Function"), ("parent_ip", "Parent") })
            {
                int i = Array.FindIndex(Fields, f => f.Name == field && f.Kind == FieldKind.Scalar && f.Size is 4 or 8);
                if (i >= 0 && !PropertyNames.Contains(prop, StringComparer.OrdinalIgnoreCase) && !Reserved.Contains(prop)) symbols.Add((i, false, prop));
            }
        }
        SymbolProperties = symbols.ToArray();
        SyscallField = format.System == "raw_syscalls" && !PropertyNames.Contains("syscall")
            ? Array.FindIndex(Fields, f => f.Name == "id" && f.Kind == FieldKind.Scalar) : -1;
        Type = EmitType(format, Fields, PropertyNames, SymbolProperties, SyscallField);
        Create = Expression.Lambda<Func<TraceEvent>>(Expression.New(Type)).Compile();
    }

    public EventFormat Format { get; }
    public FieldFormat[] Fields { get; }
    public string[] PropertyNames { get; }
    public int PidOffset { get; }
    public int FlagsOffset { get; }
    public int PreemptOffset { get; }
    /// <summary>(comm field, pid field) pairs such as (prev_comm, prev_pid): the event names the command of that pid.</summary>
    public (int Comm, int Pid)[] CommPairs { get; }
    /// <summary>Extra string properties naming the kernel symbol of address fields (ip_symbol for ip printed with %ps).</summary>
    public (int Field, bool WithOffset, string Property)[] SymbolProperties { get; }
    /// <summary>Index of the id field of raw_syscalls events, which get a "syscall" name property; -1 otherwise.</summary>
    public int SyscallField { get; }
    public Type Type { get; }
    public Func<TraceEvent> Create { get; }

    /// <summary>The layout of a format; formats with the same fields and print fmt share one class.</summary>
    public static EventLayout For(EventFormat format, int longSize) =>
        Cache.GetOrAdd(Signature(format, longSize), _ => new EventLayout(format, longSize));

    /// <summary>The kernel's sizeof(long) for the records of this layout.</summary>
    public int LongSize { get; }

    /// <summary>The event's print fmt, parsed: renders Message.</summary>
    public PrintFormat Print { get; }

    private static string Signature(EventFormat f, int longSize)
    {
        var sb = new StringBuilder(f.System).Append(':').Append(f.Name).Append('/').Append(longSize).Append('/').Append(f.PrintFormat);
        foreach (var x in f.Fields) sb.Append('|').Append(x.CType).Append(' ').Append(x.Name).Append('@').Append(x.Offset).Append('/').Append(x.Size).Append(x.IsSigned ? 's' : 'u');
        return sb.ToString();
    }

    private static Type EmitType(EventFormat format, FieldFormat[] fields, string[] names, (int Field, bool WithOffset, string Property)[] symbols, int syscallField)
    {
        lock (EmitGate)
        {
            string baseName = $"LinuxTrace.Events.{Identifier(format.System)}.{Identifier(format.Name)}";
            int n = TypeNames.AddOrUpdate(baseName, 1, (_, v) => v + 1);
            string typeName = n == 1 ? baseName : baseName + "_" + n;
            var tb = Module.DefineType(typeName, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(TraceEvent));
            tb.DefineDefaultConstructor(MethodAttributes.Public);
            for (int i = 0; i < fields.Length; i++)
            {
                var f = fields[i];
                Type t = f.ClrType;
                MethodInfo accessor = Accessor(t, f.ElementType);
                var getter = tb.DefineMethod("get_" + names[i], MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig, t, Type.EmptyTypes);
                var il = getter.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4, i);
                il.Emit(OpCodes.Call, accessor);
                il.Emit(OpCodes.Ret);
                var prop = tb.DefineProperty(names[i], PropertyAttributes.None, t, null);
                prop.SetGetMethod(getter);
            }
            var getSymbol = typeof(TraceEvent).GetMethod("GetSymbol", BindingFlags.Instance | BindingFlags.NonPublic)!;
            foreach (var (field, withOffset, prop) in symbols)
            {
                var getter = tb.DefineMethod("get_" + prop, MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig, typeof(string), Type.EmptyTypes);
                var il = getter.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4, field);
                il.Emit(withOffset ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Call, getSymbol);
                il.Emit(OpCodes.Ret);
                tb.DefineProperty(prop, PropertyAttributes.None, typeof(string), null).SetGetMethod(getter);
            }
            if (syscallField >= 0)
            {
                var getter = tb.DefineMethod("get_syscall", MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig, typeof(string), Type.EmptyTypes);
                var il = getter.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4, syscallField);
                il.Emit(OpCodes.Call, typeof(TraceEvent).GetMethod("GetSyscall", BindingFlags.Instance | BindingFlags.NonPublic)!);
                il.Emit(OpCodes.Ret);
                tb.DefineProperty("syscall", PropertyAttributes.None, typeof(string), null).SetGetMethod(getter);
            }
            return tb.CreateType()!;
        }
    }

    private static MethodInfo Accessor(Type t, Type element)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic;
        if (t.IsArray) return typeof(TraceEvent).GetMethod("GetArray", flags)!.MakeGenericMethod(element);
        string name = t == typeof(string) ? "GetString"
            : t == typeof(bool) ? "GetBool"
            : t == typeof(sbyte) ? "GetSByte"
            : t == typeof(byte) ? "GetByte"
            : t == typeof(short) ? "GetInt16"
            : t == typeof(ushort) ? "GetUInt16"
            : t == typeof(int) ? "GetInt32"
            : t == typeof(uint) ? "GetUInt32"
            : t == typeof(long) ? "GetInt64"
            : "GetUInt64";
        return typeof(TraceEvent).GetMethod(name, flags)!;
    }

    private static string Identifier(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, '_');
        return sb.ToString();
    }
}
