using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;

namespace LinuxTrace.Engine.Reading;

/// <summary>Called for each record with its format (null for an id the source has no format for). A record, and the
/// page it points into, is valid only during the call: keep values, not the record.</summary>
public delegate void RecordVisitor(in RecordRef record, EventFormat? format);
