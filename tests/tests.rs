mod compare_reports;
