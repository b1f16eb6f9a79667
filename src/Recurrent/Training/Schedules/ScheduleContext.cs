namespace Recurrent.Training.Schedules;

/// <summary>Where training is when a schedule is asked for the rate of the next step.</summary>
/// <param name="Step">The number of optimizer steps already taken (so the next step is number <c>Step + 1</c>).</param>
/// <param name="Epoch">The current epoch, 0-based.</param>
/// <param name="TotalSteps">The planned number of steps of the whole run (from the trainer's budget).</param>
internal readonly record struct ScheduleContext(long Step, int Epoch, long TotalSteps);
