using ShapedVit.Testing;
using System.IO.Compression;
using ShapedVit.Samples.Shared;

namespace ShapedVit.Samples.Tests;

public class IdxFileTests
{
    private static readonly byte[] TwoImages = [1, 2, 3, 4, 5, 6, 7, 8]; // two 2x2 images

    [Fact]
    public void Raw_and_gzipped_files_parse_to_the_same_array()
    {
        byte[] raw = IdxFile.Encode([2, 2, 2], TwoImages);
        Assert.Equal(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2 }, raw[..16]);
        var fromRaw = IdxFile.Parse(raw, "raw");
        var fromGzip = IdxFile.Parse(Gzip(raw), "gz");
        Assert.Equal(new[] { 2, 2, 2 }, fromRaw.Dimensions);
        Assert.Equal(TwoImages, fromRaw.Data);
        Assert.Equal(fromRaw.Dimensions, fromGzip.Dimensions);
        Assert.Equal(fromRaw.Data, fromGzip.Data);
    }

    [Fact]
    public void Bad_magic_is_refused_with_the_bytes_found()
    {
        byte[] bytes = IdxFile.Encode([2, 2, 2], TwoImages);
        bytes[0] = 0x1a;
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "x.idx"));
        Assert.StartsWith("x.idx: bad IDX magic 0x1a000803", e.Message);
    }

    [Fact]
    public void Element_types_other_than_unsigned_bytes_are_refused()
    {
        byte[] bytes = IdxFile.Encode([2], [1, 2]);
        bytes[2] = 0x0D; // float
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "f.idx"));
        Assert.Contains("element type 0x0d is not supported", e.Message);
    }

    [Theory]
    [InlineData(3, "truncated IDX header (3 bytes")]
    [InlineData(10, "truncated IDX header (10 bytes; 16 expected for rank 3)")]
    [InlineData(20, "truncated: header declares 8 bytes of data [2,2,2], file has 4")]
    public void Truncated_files_are_refused(int keep, string expected)
    {
        byte[] bytes = IdxFile.Encode([2, 2, 2], TwoImages)[..keep];
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "t.idx"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Bytes_beyond_the_declared_count_are_refused()
    {
        byte[] bytes = [.. IdxFile.Encode([2, 2, 2], TwoImages), 9, 9];
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "long.idx"));
        Assert.Contains("2 unexpected bytes after the 8 declared", e.Message);
    }

    [Fact]
    public void A_header_declaring_gigantic_dimensions_is_refused_before_allocating()
    {
        byte[] bytes = IdxFile.Encode([60000, 100000, 100000], []);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "huge.idx"));
        Assert.Contains("more than", e.Message);
    }

    [Fact]
    public void Corrupt_gzip_data_is_refused()
    {
        byte[] gz = Gzip(IdxFile.Encode([2, 2, 2], TwoImages));
        byte[] corrupt = gz[..12]; // header kept, deflate stream cut short
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Parse(corrupt, "c.gz"));
        Assert.StartsWith("c.gz: ", e.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images.idx"), labels = dir.File("labels.idx");
        File.WriteAllBytes(images, IdxFile.Encode([2, 2, 2], TwoImages));
        File.WriteAllBytes(labels, IdxFile.Encode([3], [0, 1, 2]));
        var e = Assert.Throws<IdxFormatException>(() => FashionMnistFiles.FromIdx(images, labels, FashionMnistDataset.ClassNames));
        Assert.Contains("has 2 images but", e.Message);
        Assert.Contains("has 3 labels", e.Message);
    }

    [Fact]
    public void Labels_outside_the_classes_are_refused()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images.idx"), labels = dir.File("labels.idx");
        File.WriteAllBytes(images, IdxFile.Encode([2, 2, 2], TwoImages));
        File.WriteAllBytes(labels, IdxFile.Encode([2], [0, 10]));
        var e = Assert.Throws<IdxFormatException>(() => FashionMnistFiles.FromIdx(images, labels, FashionMnistDataset.ClassNames));
        Assert.Contains("label 10 at index 1 is outside the 10 classes", e.Message);
    }

    [Fact]
    public void The_shipped_slice_loads_with_every_class_present()
    {
        var (train, test) = FashionMnistFiles.Load(ShippedSlice);
        Assert.Equal(6000, train.Count);
        Assert.Equal(1000, test.Count);
        Assert.Equal((1, 28, 28), (train.Channels, train.Height, train.Width));
        Assert.All(Enumerable.Range(0, 10), c => Assert.InRange(train.Labels.Count(l => l == c), 500, 700));
        Assert.Equal(9, test.Labels[0]); // the first test image of Fashion-MNIST is an ankle boot
    }

    [Fact]
    public void A_folder_without_the_files_names_what_is_missing()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnistFiles.Load(dir.Path));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    internal static string ShippedSlice => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-slice");

    internal static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(raw);
        return output.ToArray();
    }
}
