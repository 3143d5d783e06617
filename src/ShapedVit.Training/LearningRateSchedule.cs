namespace ShapedVit.Training;

/// <summary>Linear warmup from 0 to the peak, then a cosine decay to the floor at the last step: a pure function of the step, so resuming needs only the step.</summary>
public sealed record LearningRateSchedule(double Peak, double Floor, long WarmupSteps, long TotalSteps)
{
    public double At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        long decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return Floor + (Peak - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
