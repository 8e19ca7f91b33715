namespace CosmosNet.KernelTests;

/// <summary>The Exceptions suite: every test by name. The host (tests/Kernel.Tests) reads this same list.</summary>
public static class ExceptionsSuite
{
    public static readonly KernelTest[] Tests =
    [
        // try/catch
        new("Catch_SameFrame", BasicTests.CatchSameFrame),
        new("Catch_AcrossTwoFrames", BasicTests.CatchAcrossTwoFrames),
        new("Catch_AcrossManyFrames", BasicTests.CatchAcrossManyFrames),
        new("Catch_ByBaseType", BasicTests.CatchByBaseType),
        new("Catch_FirstMatchingClauseWins", BasicTests.FirstMatchingClauseWins),
        new("Catch_UnmatchedClauseIsSkipped", BasicTests.UnmatchedClauseIsSkipped),
        new("Catch_AllAndIdentity", BasicTests.CatchAllAndIdentity),
        new("Catch_ExceptionStateSurvives", BasicTests.ExceptionStateSurvives),
        new("Catch_LocalsIntact", BasicTests.LocalsIntactAfterCatch),
        new("Catch_ManyThrowsInALoop", BasicTests.ManyThrowsInALoop),
        new("Throw_NullBecomesNullReference", BasicTests.ThrowNullBecomesNullReference),
        new("Throw_ThroughDelegatesInterfacesLambdas", BasicTests.ThroughDelegatesInterfacesAndLambdas),
        new("Throw_FromIterator", BasicTests.FromIterator),
        new("Throw_StaticConstructorFailure", BasicTests.StaticConstructorFailure),
        new("Throw_GenericAndStructMethods", BasicTests.GenericAndStructMethods),
        // finally
        new("Finally_RunsOnNormalExit", FinallyTests.RunsOnNormalExit),
        new("Finally_RunsBeforeOuterCatch", FinallyTests.RunsBeforeOuterCatch),
        new("Finally_DeepestFirstAcrossFrames", FinallyTests.DeepestFinallyFirstAcrossFrames),
        new("Finally_FiltersRunBeforeFinallies", FinallyTests.FiltersRunBeforeFinallies),
        new("Finally_RunsOnReturnBreakContinue", FinallyTests.RunsOnReturnBreakContinue),
        new("Finally_UsingDisposesInReverseOrder", FinallyTests.UsingDisposesInReverseOrder),
        new("Finally_ModifiesLocalsSeenByCatch", FinallyTests.FinallyModifiesLocalsSeenByCatch),
        new("Finally_NestedOrderInOneFrame", FinallyTests.NestedFinallyOrderInOneFrame),
        // filters
        new("Filter_TrueAndFalse", FilterTests.TrueAndFalse),
        new("Filter_InnermostFirstAcrossFrames", FilterTests.InnermostFirstAcrossFrames),
        new("Filter_EvaluatedOncePerThrow", FilterTests.EvaluatedOncePerThrow),
        new("Filter_ThrowingFilterIsFalse", FilterTests.ThrowingFilterIsFalse),
        new("Filter_WithInternalTryCatch", FilterTests.FilterWithInternalTryCatch),
        new("Filter_SeesLocals", FilterTests.FilterSeesLocals),
        new("Filter_OnRethrowRunsAgain", FilterTests.FilterOnRethrowRunsAgain),
        new("Filter_AsyncFiltersReadingThis", FilterTests.AsyncFiltersReadingThis),
        // rethrow
        new("Rethrow_KeepsIdentity", RethrowTests.RethrowKeepsIdentity),
        new("Rethrow_AcrossFrames", RethrowTests.RethrowAcrossFrames),
        new("Rethrow_KeepsOriginalStackTrace", RethrowTests.RethrowKeepsOriginalStackTrace),
        new("Rethrow_ThrowVariableKeepsIdentity", RethrowTests.ThrowVariableKeepsIdentity),
        new("Rethrow_FromNestedCatch", RethrowTests.RethrowFromNestedCatch),
        new("Rethrow_ExceptionDispatchInfo", RethrowTests.ExceptionDispatchInfoRethrow),
        // nested dispatch
        new("Nested_ThrowInCatchCaughtOutside", NestedTests.ThrowInCatchCaughtOutside),
        new("Nested_ThrowInCatchSkipsSiblingClauses", NestedTests.ThrowInCatchSkipsSiblingClauses),
        new("Nested_ThrowInFinallyReplacesException", NestedTests.ThrowInFinallyReplacesException),
        new("Nested_ThrowInFinallyRunsOuterFinallies", NestedTests.ThrowInFinallyAcrossFramesRunsOuterFinallies),
        new("Nested_TryCatchInsideFinallyDuringUnwind", NestedTests.TryCatchInsideFinallyDuringUnwind),
        new("Nested_TryCatchInsideCatch", NestedTests.TryCatchInsideCatch),
        new("Nested_InnerExceptionsChain", NestedTests.InnerExceptionsChain),
        new("Nested_AggregateOfCaughtExceptions", NestedTests.AggregateOfCaughtExceptions),
        new("Nested_CatchThrowsMidStack", NestedTests.CatchThrowsMidStack),
        // hardware faults
        new("Hardware_NullFieldRead", HardwareTests.NullFieldRead),
        new("Hardware_NullWriteVirtualArrayString", HardwareTests.NullFieldWriteAndVirtualCall),
        new("Hardware_NullPointerDereference", HardwareTests.NullPointerDereference),
        new("Hardware_NullFaultRunsFinallyAndFilter", HardwareTests.NullFaultRunsFinallyAndFilter),
        new("Hardware_IntegerDivideByZero", HardwareTests.IntegerDivideByZero),
        new("Hardware_MinValueDividedByMinusOne", HardwareTests.MinValueDividedByMinusOne),
        new("Hardware_RepeatedFaultsRecover", HardwareTests.RepeatedFaultsRecover),
        new("Hardware_FaultInsideCatchAndFinally", HardwareTests.FaultInsideCatchAndFinally),
        new("Hardware_NullInsideFilterIsFalse", HardwareTests.NullInsideFilterIsFalse),
        new("Hardware_FaultInFinallyReplacesException", HardwareTests.FaultInFinallyReplacesException),
        // thrown by the runtime and the BCL
        new("Runtime_IndexOutOfRange", RuntimeThrowTests.IndexOutOfRange),
        new("Runtime_MessagesAreText", RuntimeThrowTests.MessagesAreText),
        new("Runtime_InvalidCast", RuntimeThrowTests.InvalidCast),
        new("Runtime_CheckedOverflow", RuntimeThrowTests.CheckedOverflow),
        new("Runtime_ParseAndLookupFailures", RuntimeThrowTests.ParseAndLookupFailures),
        new("Runtime_EnumeratorInvalidated", RuntimeThrowTests.EnumeratorInvalidatedByMutation),
        new("Runtime_ComparerExceptionWrappedBySort", RuntimeThrowTests.ComparerExceptionWrappedBySort),
        new("Runtime_LazyCachesTheException", RuntimeThrowTests.LazyCachesTheException),
        // threads
        new("Thread_CaughtOnAnotherThread", ThreadTests.CaughtOnAnotherThread),
        new("Thread_DispatchesDoNotMix", ThreadTests.DispatchesDoNotMixAcrossThreads),
        new("Stack_LargeFramesProbe", ThreadTests.LargeFramesWork),
        // stack traces
        new("StackTrace_ExceptionNamesFrames", StackTraceTests.ExceptionStackTraceNamesFrames),
        new("StackTrace_StopsAtCatchingFrame", StackTraceTests.StackTraceStopsAtCatchingFrame),
        new("StackTrace_ToStringHasTypeMessageTrace", StackTraceTests.ToStringHasTypeMessageAndTrace),
        new("StackTrace_EnvironmentNamesCallers", StackTraceTests.EnvironmentStackTraceNamesCallers),
        new("StackTrace_StackTraceObject", StackTraceTests.StackTraceObjectFrames),
        new("StackTrace_HardwareFaultNamesMethod", StackTraceTests.HardwareFaultTraceNamesFaultingMethod),
        new("StackTrace_InsideCatchAndFinally", StackTraceTests.TraceFromInsideCatchAndFinally),
    ];
}
