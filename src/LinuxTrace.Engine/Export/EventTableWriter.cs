using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LinuxTrace.Engine.Export;

/// <summary>
/// Writes records of any kinds as one table with a stable schema, whatever mix of events comes: the record's own columns
/// (<see cref="Columns"/>), then Message, then Fields, every field of the event under its kernel name as one JSON object
/// (a JSON object in a JSON file; its JSON text in a CSV cell). Export-Csv of mixed events takes its header from the first
/// event and drops the others' fields; this does not. Lost-event notes and function calls are rows too.
/// The file is written under a temporary name and renamed by <see cref="Complete"/>; disposing before that removes it.
/// </summary>
public sealed class EventTableWriter : IDisposable
{
    /// <summary>The columns, in order, of both formats.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "TimestampNs", "Time", "TimeCreated", "HostName", "CpuNumber", "ProcessName", "ProcessId", "EventSystem", "EventName",
        "CommonFlags", "CommonPreemptCount", "Message", "Fields",
    ];

    private readonly string _path, _tmp;
    private readonly EventTableFormat _format;
    private readonly FileStream _stream;
    private readonly StreamWriter? _csv;
    private readonly Utf8JsonWriter? _json;
    private readonly System.Buffers.ArrayBufferWriter<byte> _cell = new(256);
    // "<idle>" stays as it is (the default encoder writes \u003Cidle\u003E)
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private bool _completed;

    public EventTableWriter(string path, EventTableFormat format)
    {
        _path = path;
        _format = format;
        _tmp = path + ".tmp-" + Environment.ProcessId;
        _stream = new FileStream(_tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        if (format == EventTableFormat.Csv)
        {
            _csv = new StreamWriter(_stream, new UTF8Encoding(false), 1 << 16);
            _csv.Write(string.Join(",", Columns.Select(Quote)));
            _csv.Write('\n');
        }
        else
        {
            _json = new Utf8JsonWriter(_stream, Options);
            _json.WriteStartArray();
        }
    }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    public void Write(TraceRecord record)
    {
        var r = Row.Of(record);
        if (_csv is not null)
        {
            var w = _csv;
            w.Write(r.TimestampNs.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(Quote(r.Time)); w.Write(',');
            w.Write(Quote(r.TimeCreated?.ToString("o", CultureInfo.InvariantCulture) ?? "")); w.Write(',');
            w.Write(Quote(r.HostName ?? "")); w.Write(',');
            w.Write(r.Cpu.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(Quote(r.ProcessName)); w.Write(',');
            w.Write(r.ProcessId.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(Quote(r.System)); w.Write(',');
            w.Write(Quote(r.Name)); w.Write(',');
            w.Write(Quote(r.Flags)); w.Write(',');
            w.Write(r.Preempt.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(Quote(r.Message)); w.Write(',');
            w.Write(Quote(FieldsAsJsonText(record)));
            w.Write('\n');
        }
        else
        {
            var j = _json!;
            j.WriteStartObject();
            j.WriteNumber("TimestampNs", r.TimestampNs);
            j.WriteString("Time", r.Time);
            if (r.TimeCreated is { } t) j.WriteString("TimeCreated", t.ToString("o", CultureInfo.InvariantCulture)); else j.WriteNull("TimeCreated");
            if (r.HostName is { } h) j.WriteString("HostName", h); else j.WriteNull("HostName");
            j.WriteNumber("CpuNumber", r.Cpu);
            j.WriteString("ProcessName", r.ProcessName);
            j.WriteNumber("ProcessId", r.ProcessId);
            j.WriteString("EventSystem", r.System);
            j.WriteString("EventName", r.Name);
            j.WriteString("CommonFlags", r.Flags);
            j.WriteNumber("CommonPreemptCount", r.Preempt);
            j.WriteString("Message", r.Message);
            j.WritePropertyName("Fields");
            WriteFields(j, record);
            j.WriteEndObject();
            if (j.BytesPending > 1 << 16) j.Flush();
        }
        Rows++;
    }

    /// <summary>Ends the file and gives it its name (replacing a file there).</summary>
    public void Complete()
    {
        if (_csv is not null) _csv.Flush();
        else
        {
            _json!.WriteEndArray();
            _json.Flush();
            _stream.WriteByte((byte)'\n');
        }
        _stream.Flush();
        _stream.Dispose();
        File.Move(_tmp, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_completed) return;
        try { _csv?.Dispose(); _json?.Dispose(); _stream.Dispose(); } catch (IOException) { }
        try { File.Delete(_tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string FieldsAsJsonText(TraceRecord record)
    {
        _cell.ResetWrittenCount();
        using (var j = new Utf8JsonWriter(_cell, Options)) WriteFields(j, record);
        return Encoding.UTF8.GetString(_cell.WrittenSpan);
    }

    /// <summary>The record's fields as a JSON object: an event's kernel fields with their typed values, a loss's count
    /// and reason, a call's function, depth, duration and caller.</summary>
    private static void WriteFields(Utf8JsonWriter j, TraceRecord record)
    {
        j.WriteStartObject();
        switch (record)
        {
            case TraceEvent e:
                var names = e._layout.Fields;
                for (int i = 0; i < names.Length; i++)
                {
                    j.WritePropertyName(names[i].Name);
                    WriteValue(j, e.GetBoxed(i));
                }
                break;
            case TraceLostEvents l:
                if (l.Count is { } c) j.WriteNumber("count", c); else j.WriteNull("count");
                if (l.SinceNs is { } s) j.WriteNumber("since_ns", s); else j.WriteNull("since_ns");
                j.WriteString("reason", l.Reason);
                break;
            case FunctionCall f:
                j.WriteString("function", f.Function);
                j.WriteNumber("address", f.Address);
                j.WriteNumber("depth", f.Depth);
                j.WriteNumber("duration_ns", f.DurationNs);
                if (f.Caller is { } caller) j.WriteString("caller", caller); else j.WriteNull("caller");
                if (f.ReturnValue is { } rv) j.WriteNumber("retval", rv);
                j.WriteString("status", f.Status.ToString());
                break;
        }
        j.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter j, object? v)
    {
        switch (v)
        {
            case null: j.WriteNullValue(); break;
            case string s: j.WriteStringValue(s); break;
            case bool b: j.WriteBooleanValue(b); break;
            case ulong u: j.WriteNumberValue(u); break;
            case uint u: j.WriteNumberValue(u); break;
            case Array a:
                j.WriteStartArray();
                foreach (var x in a) WriteValue(j, x);
                j.WriteEndArray();
                break;
            default: j.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture)); break;
        }
    }

    private static string Quote(string s) => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The common columns of one record.</summary>
    private readonly record struct Row(ulong TimestampNs, string Time, DateTime? TimeCreated, string? HostName, int Cpu, string ProcessName, int ProcessId,
        string System, string Name, string Flags, int Preempt, string Message)
    {
        public static Row Of(TraceRecord r) => r switch
        {
            TraceEvent e => new(e.TimestampNs, e.TimeText, e.TimeCreated, e.HostName, e.CpuNumber, e.ProcessName, e.ProcessId, e.EventSystem, e.EventName,
                e.CommonFlags.ToString(), e.CommonPreemptCount, e.Message),
            TraceLostEvents l => new(l.TimestampNs, l.TimeText, null, null, l.CpuNumber, "", -1, "", "lost_events", "", 0, l.ToString()),
            FunctionCall f => new(f.TimestampNs, f.TimeText, null, null, f.CpuNumber, f.Command, f.ProcessId, "ftrace", "function_call", "", 0, f.ToString()),
            _ => new(r.TimestampNs, r.TimeText, null, null, r.CpuNumber, "", -1, "", r.GetType().Name, "", 0, r.ToString() ?? ""),
        };
    }
}
