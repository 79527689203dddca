using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;

namespace LinuxTrace.Engine.Aggregation;

/// <summary>Makes (once per base class and key list) the class of a group with one typed property per key.</summary>
internal static class GroupTypes
{
    private static readonly ModuleBuilder Module = AssemblyBuilder
        .DefineDynamicAssembly(new AssemblyName("LinuxTrace.Groups"), AssemblyBuilderAccess.Run)
        .DefineDynamicModule("LinuxTrace.Groups");
    private static readonly ConcurrentDictionary<string, Func<TraceGroup>> Cache = new(StringComparer.Ordinal);
    private static readonly object Gate = new();
    private static int _n;

    public static T Create<T>(IReadOnlyList<(string Name, Type Type)> keys, object?[] values) where T : TraceGroup
    {
        string sig = typeof(T).Name + "|" + string.Join("|", keys.Select(k => k.Name + ":" + k.Type.FullName));
        var make = Cache.GetOrAdd(sig, _ => Emit(typeof(T), keys));
        var g = (T)make();
        g._keys = values;
        g._keyNames = keys.Select(k => k.Name).ToArray();
        return g;
    }

    private static Func<TraceGroup> Emit(Type baseType, IReadOnlyList<(string Name, Type Type)> keys)
    {
        lock (Gate)
        {
            var reserved = baseType.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            string name = $"LinuxTrace.Groups.{baseType.Name}_{Identifier(string.Join("_", keys.Select(k => k.Name)))}_{++_n}";
            var tb = Module.DefineType(name, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, baseType);
            tb.DefineDefaultConstructor(MethodAttributes.Public);
            var key = typeof(TraceGroup).GetMethod("Key", BindingFlags.Instance | BindingFlags.NonPublic)!;
            for (int i = 0; i < keys.Count; i++)
            {
                string prop = reserved.Contains(keys[i].Name) ? keys[i].Name + "_" : keys[i].Name;
                Type t = keys[i].Type.IsValueType ? typeof(Nullable<>).MakeGenericType(keys[i].Type) : keys[i].Type;
                var getter = tb.DefineMethod("get_" + prop, MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig, t, Type.EmptyTypes);
                var il = getter.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4, i);
                il.Emit(OpCodes.Call, key.MakeGenericMethod(t));
                il.Emit(OpCodes.Ret);
                tb.DefineProperty(prop, PropertyAttributes.None, t, null).SetGetMethod(getter);
            }
            var type = tb.CreateType();
            return () => (TraceGroup)Activator.CreateInstance(type)!;
        }
    }

    private static string Identifier(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s) sb.Append(char.IsLetterOrDigit(c) ? c : '_');
        return sb.ToString();
    }
}
