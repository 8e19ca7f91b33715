# CosmosNet's gdb script: `make debug` loads it with the image's ELF (ILC's DWARF: C# names are mangled like
# Namespace_Type__Method; types are classes, object references C++ references). QEMU waits at the first instruction
# until `continue`. Commands:
#   cosmos-exception [EXPR]   a managed exception: type, message, inner exceptions (default: FailFast's argument)
#   cosmos-threads            every kernel thread: id, name, state, CPU time, stack, where it waits
#   cosmos-name SYMBOL        an ILC symbol name in C# form (CosmosNet_Host_CosmosNet_Host_NetworkHost__Run -> ...)
set pagination off
set confirm off
set print frame-arguments scalars

python
import gdb, re

def _read(address, size):
    return bytes(gdb.selected_inferior().read_memory(address, size))

def _u64(address):
    return int.from_bytes(_read(address, 8), "little")

def managed_string(address):
    """A System.String at address: MethodTable*, int32 length, UTF-16 characters."""
    if address == 0:
        return None
    length = int.from_bytes(_read(address + 8, 4), "little", signed=True)
    if length < 0 or length > 1 << 20:
        return "<bad string at 0x%x>" % address
    return _read(address + 12, 2 * length).decode("utf-16-le", "replace")

def demangle(symbol):
    """ILC's mangled names back to C# form, as far as they go: assembly prefixes dropped, '__' before the member
    becomes '.', '_' between namespace parts becomes '.' (an underscore in a real name cannot be told apart)."""
    name = re.sub(r"^(vtable for |typeinfo for )", "", symbol)
    name = re.sub(r"^S_P_CoreLib_", "", name)
    m = re.match(r"^([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*?)_(\1_.*)$", name)   # CosmosNet_Host_CosmosNet_Host_X: assembly, then type
    if m:
        name = m.group(2)
    type_part, sep, member = name.partition("__")
    return type_part.replace("_", ".") + ("." + member if sep else "")

def type_name(obj):
    """The exception's type, from the symbol of its MethodTable."""
    mt = _u64(obj)
    where = gdb.execute("info symbol 0x%x" % mt, to_string=True).strip()
    return demangle(where.split(" in section")[0]) if "No symbol" not in where else "MethodTable 0x%x" % mt

def _field(obj, name):
    """An object reference field: gdb takes &reference as the address of the object it refers to (0 for null)."""
    try:
        return int(gdb.parse_and_eval("(long)&((S_P_CoreLib_System_Exception*)%d)->%s" % (obj, name)))
    except gdb.MemoryError:
        return 0

class CosmosException(gdb.Command):
    """cosmos-exception [EXPR]: a managed exception's type, message and inner exceptions (default: `exception`, the
    argument of ExceptionHandling.FailFast, where an unhandled exception stops)."""
    def __init__(self):
        super().__init__("cosmos-exception", gdb.COMMAND_DATA)
    def invoke(self, arg, from_tty):
        expr = arg.strip() or "exception"
        value = gdb.parse_and_eval(expr)
        obj = int(value.address) if value.type.code == gdb.TYPE_CODE_REF or value.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT else int(value)
        depth = 0
        while obj and depth < 8:
            print("%s%s: %s" % ("  inner: " if depth else "", type_name(obj), managed_string(_field(obj, "_message"))))
            obj = _field(obj, "_innerException")
            depth += 1

class CosmosThreads(gdb.Command):
    """cosmos-threads: every kernel thread (Scheduler's list): id, name, state, CPU ms, stack, where a suspended one waits."""
    def __init__(self):
        super().__init__("cosmos-threads", gdb.COMMAND_DATA)
    def invoke(self, arg, from_tty):
        current = int(gdb.parse_and_eval("(long)CosmosNet_Kernel_CosmosNet_Kernel_Threading_Scheduler::s_current"))
        t = gdb.parse_and_eval("CosmosNet_Kernel_CosmosNet_Kernel_Threading_Scheduler::s_all")
        states = ["Ready", "Running", "Blocked", "Dead"]
        while int(t) != 0:
            k = t.dereference()
            name = bytes(int(k["Name"].address.cast(gdb.lookup_type("char").pointer())[i]) & 0xFF for i in range(24)).split(b"\0")[0].decode()
            state = states[int(k["State"])] if int(k["State"]) < 4 else str(int(k["State"]))
            where = ""
            if int(t) != current and state != "Dead":
                ret = _u64(int(k["SavedRsp"]) + 520 + 48)   # cosmos_switch_context's frame: fxsave, 6 registers, return address
                where = gdb.execute("info symbol 0x%x" % ret, to_string=True).strip().split(" in section")[0]
            print("%3d %-16s %-8s cpu %6d ms  stack 0x%x-0x%x  %s" % (int(k["Id"]), name or "-", state, int(k["CpuNanoseconds"]) // 1000000,
                  int(k["StackBottom"]), int(k["StackTop"]), ("waits in " + demangle(where.split(" + ")[0])) if where else "(running)"))
            t = k["NextInAll"]

class CosmosName(gdb.Command):
    """cosmos-name SYMBOL: an ILC-mangled symbol in C# form."""
    def __init__(self):
        super().__init__("cosmos-name", gdb.COMMAND_DATA)
    def invoke(self, arg, from_tty):
        print(demangle(arg.strip()))

CosmosException(); CosmosThreads(); CosmosName()
end

# Every panic ends in Panic.Report; an unhandled managed exception passes ExceptionHandling.FailFast first.
break CosmosNet_Kernel_CosmosNet_Kernel_Panic__Report
break CosmosNet_Kernel_CosmosNet_Kernel_Runtime_ExceptionHandling__FailFast
commands 2
  cosmos-exception exception
end
