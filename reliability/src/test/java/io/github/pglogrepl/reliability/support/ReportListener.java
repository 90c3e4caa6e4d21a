package io.github.pglogrepl.reliability.support;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints the reliability table when the test run ends (registered in
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}).
 */
public class ReportListener implements TestExecutionListener {

	@Override
	public void testPlanExecutionFinished(TestPlan testPlan) {
		if (!Report.isEmpty()) {
			System.out.println();
			System.out.println(Report.markdown());
			System.out.println("(written to " + System.getProperty("reliability.report", "target/reliability-report.md") + ")");
		}
	}

}
