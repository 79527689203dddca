namespace LinuxTrace.Engine.Formats;

/// <summary>How a field's bytes are laid out in a record.</summary>
public enum FieldKind
{
    /// <summary>A fixed-size integer (1, 2, 4 or 8 bytes).</summary>
    Scalar,
    /// <summary>A fixed-size char array (char comm[16]): a NUL-padded string.</summary>
    FixedString,
    /// <summary>A fixed-size array of integers (unsigned long args[6]).</summary>
    FixedArray,
    /// <summary>__data_loc char[]: a string stored after the fixed fields, offset from the record start.</summary>
    DataLocString,
    /// <summary>__data_loc of another element type: a dynamic array.</summary>
    DataLocArray,
    /// <summary>__rel_loc char[]: like __data_loc, offset relative to the end of the field.</summary>
    RelLocString,
    /// <summary>__rel_loc of another element type.</summary>
    RelLocArray,
}
