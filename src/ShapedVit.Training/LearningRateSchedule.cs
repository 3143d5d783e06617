namespace ShapedVit.Training;

/// <summary>Linear warmup from 0 to the peak, then a cosine decay to the floor at the last step: a pure function of the step, so resuming needs only the step.</summary>
/// <param name="Peak">The learning rate at the end of warmup.</param>
/// <param name="Floor">The learning rate at the last step.</param>
/// <param name="WarmupSteps">Steps of linear warmup; 0 for none.</param>
/// <param name="TotalSteps">Steps of the whole run, warmup included.</param>
public sealed record LearningRateSchedule(double Peak, double Floor, long WarmupSteps, long TotalSteps)
{
    /// <summary>The learning rate at zero-based optimizer step <paramref name="step"/>: Peak x (step + 1) / WarmupSteps during warmup, then cosine from Peak to Floor, reaching Floor at TotalSteps.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        long decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return Floor + (Peak - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
