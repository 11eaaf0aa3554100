DROP INDEX cases_received;
