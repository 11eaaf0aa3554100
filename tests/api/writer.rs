//! Writes through `Db::write` (on SQLite, the group-commit writer thread): each write is atomic on
//! its own even when many share one transaction, and a caller hears `Ok` only for what is stored.

use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;
use gongkai::service::ServiceError;
use gongkai::storage::Db;

use crate::helpers::{test_settings, TestDb};

#[derive(diesel::QueryableByName)]
struct Probe {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_keep_exactly_what_succeeded() {
    let test_db = TestDb::new();
    let settings = test_settings(test_db.url());
    let db = Db::connect(&settings.db_options()).unwrap();
    db.maintenance_blocking(|conn| -> Result<(), ServiceError> {
        Ok(conn.batch_execute("CREATE TABLE writer_probe (n BIGINT PRIMARY KEY, m BIGINT NOT NULL)")?)
    })
    .unwrap();

    // 300 writes at once, each inserting two rows; every third fails after its first insert, one
    // panics after it, and one breaks a constraint.
    let writes = (0..300i64).map(|n| {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(move |conn| -> Result<(), ServiceError> {
                let insert = format!("INSERT INTO writer_probe (n, m) VALUES ({n}, 0)");
                diesel::sql_query(insert).execute(conn)?;
                if n == 150 {
                    panic!("a write that panics");
                }
                if n % 3 == 0 {
                    return Err(ServiceError::conflict("refused", "refused after a write"));
                }
                // Write 7 breaks the primary key with its own first row (an order-independent failure).
                let duplicate = if n == 7 { n } else { n + 1000 };
                diesel::sql_query(format!("INSERT INTO writer_probe (n, m) VALUES ({duplicate}, 1)")).execute(conn)?;
                Ok(())
            })
            .await
        })
    });
    let results: Vec<Result<(), ServiceError>> =
        futures_util::future::join_all(writes).await.into_iter().map(|joined| joined.unwrap()).collect();

    let stored: Vec<i64> = db
        .read(|conn| -> Result<Vec<Probe>, ServiceError> {
            Ok(diesel::sql_query("SELECT n FROM writer_probe WHERE m = 0 ORDER BY n").load(conn)?)
        })
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.n)
        .collect();
    let succeeded: Vec<i64> = (0..300).filter(|n| results[*n as usize].is_ok()).collect();
    assert_eq!(stored, succeeded, "exactly the writes that succeeded are stored");
    assert!(results[3].is_err() && results[150].is_err() && results[7].is_err());
    // Writes other than the failing ones succeed, except those sharing a transaction with the
    // one that panicked (which is abandoned as a whole).
    let failed_otherwise = (0..300).filter(|n| n % 3 != 0 && *n != 7 && results[*n as usize].is_err()).count();
    assert!(failed_otherwise < 64, "{failed_otherwise} writes failed with the panicking one");
    assert!(succeeded.len() > 100, "{} writes succeeded", succeeded.len());
}
