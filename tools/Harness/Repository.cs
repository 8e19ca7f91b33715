namespace CosmosNet.Harness;

/// <summary>The repository's root: the one place that finds it (from the running assembly upwards, else from
/// the working directory upwards).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Kernel", "CosmosNet.App.targets"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Kernel/CosmosNet.App.targets) not found");
    }

    /// <summary>A path relative to the root made absolute; absolute paths stay as they are.</summary>
    public static string PathOf(string path) => Path.GetFullPath(path, Root);
}
