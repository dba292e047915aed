using SelfInterp.Core.IO;
using SelfInterp.Core.Random;
using SelfInterp.Engine.Checkpoints;
using SelfInterp.Engine.Training;

namespace SelfInterp.Organisms;

/// <summary>
/// What a stopped pretraining needs to go on where it stopped with the same bytes as one never stopped: written beside
/// the partial checkpoint pretraining saves every few hundred steps, it holds the step, the trainer's state (steps taken,
/// AdamW's moments), where each of the corpus's named streams is, and the SHA-256 of the weights saved with it. It is
/// used only if the recipe is the same and the weights are those it was written with; the finished pretraining removes it.
/// </summary>
public static class PretrainingResume
{
    public const string FileName = "pretrain_resume.bin";
    const string Magic = "selfinterp pretraining resume";
    const int Version = 1;

    public static void Write(string dir, OrganismRecipe recipe, int step, Trainer trainer, IReadOnlyList<SeededStream> streams)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(recipe.ToJson());
            writer.Write(step);
            writer.Write(FileHash.Sha256(Path.Combine(dir, Checkpoint.WeightsFile)));
            writer.Write(streams.Count);
            foreach (var stream in streams)
            {
                writer.Write(stream.Name);
                var (a, b, c, d) = stream.State;
                writer.Write(a); writer.Write(b); writer.Write(c); writer.Write(d);
            }
            trainer.WriteState(writer);
        }
        AtomicFile.WriteAllBytes(Path.Combine(dir, FileName), buffer.ToArray());
    }

    /// <summary>The last step done by the pretraining <paramref name="dir"/> can resume from, or null: no resume file,
    /// another recipe or seed, or weights that are not the ones it was written with (e.g. stopped while saving).</summary>
    public static int? ResumableStep(string dir, OrganismRecipe recipe)
    {
        try
        {
            if (Open(dir, recipe) is not (var step, var reader)) return null;
            reader.Dispose();
            return step;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException) { return null; }
    }

    /// <summary>Restores the trainer and the streams from <paramref name="dir"/>'s resume file if it is usable (see
    /// <see cref="ResumableStep"/>), returning its step; nothing is changed otherwise.</summary>
    public static int? Restore(string dir, OrganismRecipe recipe, Trainer trainer, IReadOnlyList<SeededStream> streams)
    {
        if (Open(dir, recipe) is not (var step, var reader)) return null;
        using (reader)
        {
            int count = reader.ReadInt32();
            if (count != streams.Count) throw new InvalidDataException($"{Path.Combine(dir, FileName)}: {count} streams, this pretraining draws from {streams.Count}");
            var states = new List<(ulong, ulong, ulong, ulong)>();
            foreach (var stream in streams)
            {
                string name = reader.ReadString();
                if (name != stream.Name) throw new InvalidDataException($"{Path.Combine(dir, FileName)}: stream '{name}' where this pretraining has '{stream.Name}'");
                states.Add((reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64()));
            }
            trainer.ReadState(reader);
            for (int i = 0; i < streams.Count; i++) streams[i].Restore(states[i]);
        }
        return step;
    }

    static (int Step, BinaryReader Reader)? Open(string dir, OrganismRecipe recipe)
    {
        string path = Path.Combine(dir, FileName), weights = Path.Combine(dir, Checkpoint.WeightsFile);
        if (!File.Exists(path) || !File.Exists(weights)) return null;
        var reader = new BinaryReader(new MemoryStream(File.ReadAllBytes(path)));
        if (reader.ReadString() != Magic || reader.ReadInt32() != Version || reader.ReadString() != recipe.ToJson()) { reader.Dispose(); return null; }
        int step = reader.ReadInt32();
        if (reader.ReadString() != FileHash.Sha256(weights)) { reader.Dispose(); return null; }
        return (step, reader);
    }

    public static void Remove(string dir) => File.Delete(Path.Combine(dir, FileName));
}
