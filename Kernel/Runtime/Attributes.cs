// Attributes ILC recognises by their full name, whatever assembly declares them.
namespace System.Runtime
{
    /// <summary>Exports a static method under a symbol name, with the managed calling convention
    /// (same registers as SysV for the integer/pointer signatures used by the runtime helpers).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeExportAttribute(string entry) : Attribute
    {
        public string Entry { get; } = entry;
    }

    /// <summary>Calls an external symbol directly (no P/Invoke transition): used for the asm helpers.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string entry) { Entry = entry; }
        public RuntimeImportAttribute(string library, string entry) { Library = library; Entry = entry; }
        public string? Library { get; }
        public string Entry { get; }
    }
}
