using System.Collections.Concurrent;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Formats;

/// <summary>
/// Event formats by id and by name, from a live tracefs (read on demand and cached) or from a trace.dat
/// file (all given up front). Formats are global in a kernel: instances share ids and layouts.
/// </summary>
public sealed class EventCatalog
{
    private readonly ConcurrentDictionary<int, EventFormat> _byId = new();
    private readonly ConcurrentDictionary<string, EventFormat> _byName = new(StringComparer.Ordinal);
    private readonly string? _eventsDir;
    private readonly object _scanGate = new();
    private Dictionary<int, (string System, string Name)>? _idIndex;

    private EventCatalog(HeaderPage header, string? eventsDir, string headerPageText = "", string headerEventText = "")
    {
        HeaderPage = header;
        _eventsDir = eventsDir;
        HeaderPageText = headerPageText;
        HeaderEventText = headerEventText;
    }

    public HeaderPage HeaderPage { get; }

    /// <summary>events/header_page and events/header_event as the kernel gave them (the one place they are read).</summary>
    public string HeaderPageText { get; }
    public string HeaderEventText { get; }

    /// <summary>The kernel's sizeof(long).</summary>
    public int LongSize => HeaderPage.LongSize;

    private static readonly ConcurrentDictionary<string, EventCatalog> LiveCatalogs = new(StringComparer.Ordinal);

    /// <summary>The catalog of a live tracefs (cached per mount).</summary>
    public static EventCatalog ForTracefs(TraceFileSystem fs) => LiveCatalogs.GetOrAdd(fs.Root, root =>
    {
        string events = Path.Combine(root, "events");
        string pageText = TracefsFile.Read(Path.Combine(events, "header_page")), eventText = TracefsFile.Read(Path.Combine(events, "header_event"));
        var header = HeaderPage.Parse(pageText, Path.Combine(events, "header_page"));
        HeaderPage.ValidateHeaderEvent(eventText, Path.Combine(events, "header_event"));
        return new EventCatalog(header, events, pageText, eventText);
    });

    /// <summary>A catalog over formats given up front (a trace.dat file).</summary>
    public static EventCatalog FromFormats(HeaderPage header, IEnumerable<EventFormat> formats)
    {
        var c = new EventCatalog(header, null);
        foreach (var f in formats) c.Add(f);
        return c;
    }

    public void Add(EventFormat format)
    {
        _byId[format.Id] = format;
        _byName[format.FullName] = format;
    }

    public IEnumerable<EventFormat> Loaded => _byId.Values;

    /// <summary>The format of the event with this id, or null if the kernel (or file) has none. A live catalog looks
    /// again when it meets an id it has not seen: probes and events of modules come and go while a process runs.</summary>
    public EventFormat? GetById(int id)
    {
        if (_byId.TryGetValue(id, out var f)) return f;
        if (_eventsDir is null) return null;
        lock (_scanGate)
        {
            if (_idIndex is null || (!_idIndex.ContainsKey(id) && _rescannedFor.Add(id))) _idIndex = ScanIds();
            if (!_idIndex!.TryGetValue(id, out var key)) return null;
            return GetByName(key.System, key.Name);
        }
    }

    private readonly HashSet<int> _rescannedFor = new();

    /// <summary>The format of system:name, or null when the event does not exist. A live catalog reads the format file
    /// again and compares: a probe removed and made again under the same name can have other fields (and the same id).</summary>
    public EventFormat? GetByName(string system, string name)
    {
        bool cached = _byName.TryGetValue(system + ":" + name, out var f);
        if (_eventsDir is null) return f;
        string path = Path.Combine(_eventsDir, system, name, "format");
        // the format itself, not only the id: the kernel gives a removed probe's id to the next one made
        if (!TracefsFile.TryRead(path, out var text))
        {
            if (cached) Forget(f!);
            return null;
        }
        if (cached && text == f!.Text) return f;
        if (cached) Forget(f!);
        f = FormatParser.ParseEvent(system, text, LongSize, path);
        Add(f);
        return f;
    }

    private void Forget(EventFormat f)
    {
        _byName.TryRemove(f.FullName, out _);
        _byId.TryRemove(new KeyValuePair<int, EventFormat>(f.Id, f));
    }

    private Dictionary<int, (string, string)> ScanIds()
    {
        var index = new Dictionary<int, (string, string)>();
        foreach (var sysDir in Directory.EnumerateDirectories(_eventsDir!))
        {
            string sys = Path.GetFileName(sysDir);
            foreach (var evDir in Directory.EnumerateDirectories(sysDir))
            {
                string idPath = Path.Combine(evDir, "id");
                if (TracefsFile.TryRead(idPath, out var text) && int.TryParse(text.Trim(), out int id))
                    index[id] = (sys, Path.GetFileName(evDir));
            }
        }
        return index;
    }
}
