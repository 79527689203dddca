namespace LinuxTrace;

/// <summary>The common_flags bits of an event (irqs-off, need-resched, hardirq, softirq).</summary>
[Flags]
public enum TraceEventFlags : byte
{
    None = 0,
    IrqsOff = 0x01,
    IrqsNotSupported = 0x02,
    NeedResched = 0x04,
    HardIrq = 0x08,
    SoftIrq = 0x10,
    PreemptResched = 0x20,
    NmiIrq = 0x40,
}
