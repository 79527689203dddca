namespace LinuxTrace;

/// <summary>Whether a tracing feature can be used on this kernel, and why not.</summary>
public enum FeatureState
{
    Available,
    /// <summary>Built in, but the kernel or host refuses it (EPERM), even to root.</summary>
    NotPermitted,
    /// <summary>Not built into this kernel.</summary>
    NotBuiltIn,
}
