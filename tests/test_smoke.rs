mod common;
use httpx::{MockTransport, Response};

dual_test! {
    fn get_through_mock() {
        let client = builder!().transport(MockTransport::new(common::echo)).build()?;
        let mut response = send!(client.get("https://example.org/path?a=1"))?;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json()?;
        assert_eq!(body["url"], "https://example.org/path?a=1");
        let chunks = bytes!(response)?;
        assert_eq!(chunks.concat().len(), response.content()?.len());
        Ok(())
    }

    fn redirects_followed() {
        let transport = MockTransport::new(|request| {
            match request.url().path().as_ref() {
                "/a" => Response::builder(302).header("location", "/b").build(),
                _ => Response::builder(200).text("done").build(),
            }
        });
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client.post("https://example.org/a").content("x"))?;
        assert_eq!(response.text()?, "done");
        assert_eq!(response.history().len(), 1);
        assert_eq!(response.request().unwrap().method(), "GET");
        Ok(())
    }
}
