-- The schema Pairpad 7f0a248 (the release before Alembic) made with SQLModel.metadata.create_all on postgresql,
-- compiled from its models. tests/unit/test_migrations.py builds a database of that release from it.
CREATE TABLE interview (
	id VARCHAR(32) NOT NULL,
	title VARCHAR(200) NOT NULL,
	language VARCHAR(32) NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	ended_at TIMESTAMP WITH TIME ZONE,
	interviewer_key VARCHAR(32) NOT NULL,
	candidate_key VARCHAR(32) NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE coderun (
	id VARCHAR(32) NOT NULL,
	interview_id VARCHAR(32) NOT NULL,
	language VARCHAR(32) NOT NULL,
	started_by VARCHAR(40) NOT NULL,
	started_at TIMESTAMP WITH TIME ZONE NOT NULL,
	duration FLOAT,
	exit_code INTEGER,
	outcome VARCHAR(16) NOT NULL,
	summary VARCHAR(300) NOT NULL,
	output VARCHAR NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(interview_id) REFERENCES interview (id)
);
CREATE INDEX ix_coderun_interview_id ON coderun (interview_id);
CREATE TABLE docsnapshot (
	interview_id VARCHAR(32) NOT NULL,
	document VARCHAR(8) NOT NULL,
	data BYTEA NOT NULL,
	checksum INTEGER NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (interview_id, document),
	FOREIGN KEY(interview_id) REFERENCES interview (id)
);
CREATE TABLE docupdate (
	id SERIAL NOT NULL,
	interview_id VARCHAR(32) NOT NULL,
	document VARCHAR(8) NOT NULL,
	data BYTEA NOT NULL,
	checksum INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	author VARCHAR(32),
	compacted BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(interview_id) REFERENCES interview (id)
);
CREATE INDEX ix_docupdate_compacted ON docupdate (compacted);
CREATE INDEX ix_docupdate_interview_id ON docupdate (interview_id);
CREATE TABLE participant (
	id VARCHAR(32) NOT NULL,
	interview_id VARCHAR(32) NOT NULL,
	name VARCHAR(40) NOT NULL,
	color VARCHAR(7) NOT NULL,
	role VARCHAR(16) NOT NULL,
	status VARCHAR(8) NOT NULL,
	is_typing BOOLEAN NOT NULL,
	cursor_line INTEGER,
	cursor_column INTEGER,
	token_hash VARCHAR(64) NOT NULL,
	joined_at TIMESTAMP WITH TIME ZONE NOT NULL,
	last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(interview_id) REFERENCES interview (id)
);
CREATE INDEX ix_participant_interview_id ON participant (interview_id);
