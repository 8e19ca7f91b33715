namespace CosmosNet.Corpus;

/// <summary>One program of the corpus: a name and the code that prints its results.</summary>
public sealed record CorpusProgram(string Name, Action Run);

/// <summary>Runs programs one after the other, each between "CORPUS-BEGIN name" and "CORPUS-END name"; an
/// exception a program lets escape is printed as "EXCEPTION Type: message" (the same on the host, so a
/// program may end in one on purpose). The kernel and the host reference both run this.</summary>
public static class CorpusRunner
{
    public static int Run(TextWriter output, IEnumerable<CorpusProgram> programs)
    {
        foreach (var program in programs)
        {
            output.WriteLine($"CORPUS-BEGIN {program.Name}");
            try { program.Run(); }
            catch (Exception e) { Console.WriteLine($"EXCEPTION {e.GetType().FullName}: {e.Message}"); }
            Console.Out.Flush();
            output.WriteLine($"CORPUS-END {program.Name}");
        }
        output.WriteLine("CORPUS-DONE");
        return 0;
    }
}
