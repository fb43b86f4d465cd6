DROP TABLE session_attendance;
DROP TABLE service_sessions;
DROP TABLE group_members;
DROP TABLE groups;
