from tests.factories import Factory


async def test_me_for_factory_customer(client, factory: Factory) -> None:
    customer = await factory.customer()
    response = await client.get("/api/v1/auth/me", headers=customer.headers)
    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"] == customer.user_id
