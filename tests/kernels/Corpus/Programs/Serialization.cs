using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CosmosNet.Corpus;

record Order(int Id, string Customer, List<OrderLine> Lines, DateTime Placed, OrderState State, decimal? Discount);
record OrderLine(string Sku, int Quantity, decimal Price);
enum OrderState { New, Paid, Shipped }

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(List<Order>))]
[JsonSerializable(typeof(Dictionary<string, int[]>))]
partial class CorpusJsonContext : JsonSerializerContext;

/// <summary>System.Text.Json with source generation: serialize, deserialize, round trip.</summary>
static class JsonSourceGen
{
    public static void Run()
    {
        var order = new Order(7, "ada", [new("A-1", 2, 9.5m), new("B-2", 1, 20m)], new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), OrderState.Paid, null);
        string json = JsonSerializer.Serialize(order, CorpusJsonContext.Default.Order);
        Console.WriteLine(json);
        var back = JsonSerializer.Deserialize(json, CorpusJsonContext.Default.Order)!;
        Console.WriteLine($"{back.Customer} {back.Lines.Count} {back.Lines.Sum(l => l.Quantity * l.Price)} {back.State} {back.Placed:O} {back.Discount is null}");
        var list = JsonSerializer.Deserialize("""[{"id":1,"customer":"x","lines":[],"placed":"2020-01-01T00:00:00Z","state":"Shipped","discount":1.5}]""", CorpusJsonContext.Default.ListOrder)!;
        Console.WriteLine($"{list[0].Id} {list[0].State} {list[0].Discount}");
        var map = new Dictionary<string, int[]> { ["primes"] = [2, 3, 5], ["empty"] = [] };
        Console.WriteLine(JsonSerializer.Serialize(map, CorpusJsonContext.Default.DictionaryStringInt32Array).Replace("\n", " ").Replace("\r", ""));
        try { JsonSerializer.Deserialize("{\"id\": \"nope\"}", CorpusJsonContext.Default.Order); }
        catch (JsonException e) { Console.WriteLine($"JsonException at {e.Path}"); }
    }
}

/// <summary>The JSON DOM and the low-level reader/writer.</summary>
static class JsonDom
{
    public static void Run()
    {
        using var doc = JsonDocument.Parse("""{"name":"cosmos","tags":["a","b"],"size":{"w":3,"h":4.5},"ok":true,"none":null}""");
        var root = doc.RootElement;
        Console.WriteLine($"{root.GetProperty("name").GetString()} {root.GetProperty("tags").GetArrayLength()} {root.GetProperty("size").GetProperty("h").GetDouble()} {root.GetProperty("ok").GetBoolean()} {root.GetProperty("none").ValueKind}");
        foreach (var p in root.EnumerateObject()) Console.Write(p.Name + ":" + p.Value.ValueKind + " ");
        Console.WriteLine();
        var node = JsonNode.Parse("""{"a":{"b":[1,2,3]}}""")!;
        node["a"]!["b"]!.AsArray().Add(JsonValue.Create(4));
        node["c"] = "new";
        Console.WriteLine(node.ToJsonString());
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("pi", 3.14159);
            writer.WriteString("text", "quote\" and é");
            writer.WriteStartArray("list");
            for (int i = 0; i < 3; i++) writer.WriteNumberValue(i);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        Console.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        int tokens = 0;
        while (reader.Read()) tokens++;
        Console.WriteLine(tokens);
    }
}

/// <summary>What reflection the trimmer keeps: typeof, generic instantiation, Activator, attributes, enums.</summary>
static class ReflectionKept
{
    class Widget { public string Name { get; set; } = "default"; public override string ToString() => $"Widget({Name})"; }

    static T Make<T>() where T : new() => Activator.CreateInstance<T>();

    public static void Run()
    {
        Console.WriteLine(typeof(List<int>).Name + " " + typeof(Dictionary<string, Widget>).IsGenericType + " " + typeof(int[]).IsArray);
        Console.WriteLine(Make<Widget>() + " " + Make<List<string>>().Count + " " + Make<DateTime>().Year);
        Console.WriteLine(typeof(Widget).FullName);
        object boxed = 42;
        Console.WriteLine($"{boxed.GetType() == typeof(int)} {boxed is IComparable<int>} {typeof(IComparable<int>).IsAssignableFrom(typeof(int))}");
        Console.WriteLine(string.Join(",", Enum.GetValues<DayOfWeek>().Take(3)));
        Console.WriteLine(typeof(string).IsValueType + " " + typeof(Guid).IsValueType + " " + Nullable.GetUnderlyingType(typeof(int?))?.Name);
        Console.WriteLine(default(Guid) + " " + new Guid("0f8fad5b-d9cb-469f-a165-70867728950e").ToString("N"));
        var tuple = (1, "two", 3.0);
        Console.WriteLine(tuple.GetType().Name + " " + tuple);
    }
}
